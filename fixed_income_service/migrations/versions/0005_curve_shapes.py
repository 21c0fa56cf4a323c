"""Curves say how they run between pillars, or carry a fitted model's parameters.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE curves ADD COLUMN interpolation text NOT NULL DEFAULT 'log-linear-discount'"
    )
    op.execute("ALTER TABLE curves ADD COLUMN params double precision[] NOT NULL DEFAULT '{}'")


def downgrade() -> None:
    op.execute("ALTER TABLE curves DROP COLUMN params")
    op.execute("ALTER TABLE curves DROP COLUMN interpolation")
