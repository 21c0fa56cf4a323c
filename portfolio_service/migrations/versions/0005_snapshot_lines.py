"""Each snapshot keeps its holdings' quantity, price and value (performance by class/holding).

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE valuation_snapshots ADD COLUMN lines jsonb NOT NULL DEFAULT '{}'")


def downgrade() -> None:
    op.execute("ALTER TABLE valuation_snapshots DROP COLUMN lines")
