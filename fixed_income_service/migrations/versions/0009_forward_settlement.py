"""Trades with a trade date settle later: pending until beat settles them in the ledger.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

STATEMENTS = (
    "ALTER TABLE bond_trades ADD COLUMN trade_date date",
    "ALTER TABLE bond_trades ADD COLUMN status text NOT NULL DEFAULT 'settled' "
    "CHECK (status IN ('pending', 'settled', 'failed'))",
    "ALTER TABLE bond_trades ADD COLUMN failure text",
    "CREATE INDEX ix_bond_trades_pending ON bond_trades (settlement_date) WHERE status = 'pending'",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP INDEX ix_bond_trades_pending")
    for column in ("failure", "status", "trade_date"):
        op.execute(f"ALTER TABLE bond_trades DROP COLUMN {column}")
