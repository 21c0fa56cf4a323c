"""Bonds (shared reference data, conventions as data) and analytics jobs.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# One statement per entry: asyncpg runs one statement per execute call.
STATEMENTS = (
    """
    CREATE TABLE bonds (
        id uuid PRIMARY KEY,
        isin text UNIQUE CHECK (isin ~ '^[A-Z]{2}[A-Z0-9]{9}[0-9]$'),
        name text NOT NULL,
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        bond_type text NOT NULL CHECK (bond_type IN ('fixed', 'zero', 'amortizing')),
        issue_date date NOT NULL,
        maturity_date date NOT NULL CHECK (maturity_date > issue_date),
        terms jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX ix_bonds_maturity ON bonds (maturity_date, id)",
    """
    CREATE TABLE analytics_jobs (
        id uuid PRIMARY KEY,
        tenant_id text,
        subject text NOT NULL,
        state text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
        total integer NOT NULL CHECK (total > 0),
        done integer NOT NULL DEFAULT 0 CHECK (done BETWEEN 0 AND total),
        request jsonb NOT NULL,
        result jsonb,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    )
    """,
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE analytics_jobs")
    op.execute("DROP TABLE bonds")
