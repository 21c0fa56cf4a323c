"""Realised fixings of overnight indices (reference data: no tenant), for FRN coupons.

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
        """
        CREATE TABLE index_fixings (
            index_name text NOT NULL,
            fixing_date date NOT NULL,
            rate numeric NOT NULL CHECK (rate > -1 AND rate < 1),
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (index_name, fixing_date)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE index_fixings")
