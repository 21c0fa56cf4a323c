"""The holdings read model: posted debits and credits of each ledger account, from the bus.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE account_positions (
            account_id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            asset text NOT NULL,
            debits_posted numeric NOT NULL DEFAULT 0,
            credits_posted numeric NOT NULL DEFAULT 0,
            postings integer NOT NULL DEFAULT 0,
            last_transaction_id uuid NOT NULL,
            last_committed_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now())"""
    )
    op.execute("CREATE INDEX ix_account_positions_tenant ON account_positions (tenant_id)")


def downgrade() -> None:
    op.execute("DROP TABLE account_positions")
