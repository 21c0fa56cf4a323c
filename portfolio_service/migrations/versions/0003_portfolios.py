"""Portfolios, their holdings, last known prices and daily valuation snapshots.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE portfolios (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        owner_subject text NOT NULL,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        base_currency text NOT NULL CHECK (base_currency ~ '^[A-Z]{3}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz)""",
    "CREATE INDEX ix_portfolios_tenant ON portfolios (tenant_id, created_at)",
    """CREATE TABLE holdings (
        id uuid PRIMARY KEY,
        portfolio_id uuid NOT NULL REFERENCES portfolios (id),
        tenant_id uuid NOT NULL,
        kind text NOT NULL
            CHECK (kind IN ('cash', 'equity', 'bond', 'certificate', 'property')),
        reference text NOT NULL,
        ledger_account_id uuid,
        asset text,
        share numeric CHECK (share > 0 AND share <= 1),
        detail jsonb NOT NULL DEFAULT '{}',
        CHECK ((kind = 'property') = (ledger_account_id IS NULL)),
        CONSTRAINT uq_holdings_position
            UNIQUE NULLS NOT DISTINCT (portfolio_id, kind, reference, ledger_account_id))""",
    "CREATE INDEX ix_holdings_portfolio ON holdings (portfolio_id)",
    """CREATE TABLE price_marks (
        tenant_id uuid NOT NULL,
        kind text NOT NULL,
        reference text NOT NULL,
        price_date date NOT NULL,
        price numeric NOT NULL,
        currency text NOT NULL,
        source text NOT NULL,
        fetched_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, kind, reference, price_date))""",
    """CREATE TABLE valuation_snapshots (
        portfolio_id uuid NOT NULL REFERENCES portfolios (id),
        tenant_id uuid NOT NULL,
        day date NOT NULL,
        value numeric NOT NULL,
        net_flow numeric NOT NULL DEFAULT 0,
        complete boolean NOT NULL,
        taken_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (portfolio_id, day))""",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for table in ("valuation_snapshots", "price_marks", "holdings", "portfolios"):
        op.execute(f"DROP TABLE {table}")
