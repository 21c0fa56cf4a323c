"""Target weights with drift bands, and rebalance plans.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STATEMENTS = [
    "ALTER TABLE portfolios ADD COLUMN targets jsonb",
    """CREATE TABLE rebalance_plans (
        id uuid PRIMARY KEY,
        portfolio_id uuid NOT NULL REFERENCES portfolios (id),
        tenant_id uuid NOT NULL,
        mode text NOT NULL CHECK (mode IN ('cash_flow', 'full', 'hybrid')),
        cash_account_id uuid,
        legs jsonb NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        executed_at timestamptz,
        orders jsonb)""",
    "CREATE INDEX ix_rebalance_plans_portfolio ON rebalance_plans (portfolio_id, created_at)",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE rebalance_plans")
    op.execute("ALTER TABLE portfolios DROP COLUMN targets")
