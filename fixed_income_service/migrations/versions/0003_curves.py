"""Discount curves (shared reference data): their instruments and bootstrapped pillars.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE curves (
            id uuid PRIMARY KEY,
            name text NOT NULL,
            reference_date date NOT NULL,
            instruments jsonb NOT NULL,
            pillar_times double precision[] NOT NULL,
            log_discounts double precision[] NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            CHECK (cardinality(pillar_times) = cardinality(log_discounts))
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE curves")
