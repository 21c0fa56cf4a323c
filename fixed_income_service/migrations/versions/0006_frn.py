"""Floating-rate notes are bonds too.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE bonds DROP CONSTRAINT bonds_bond_type_check")
    op.execute(
        "ALTER TABLE bonds ADD CONSTRAINT bonds_bond_type_check "
        "CHECK (bond_type IN ('fixed', 'zero', 'amortizing', 'frn'))"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE bonds DROP CONSTRAINT bonds_bond_type_check")
    op.execute(
        "ALTER TABLE bonds ADD CONSTRAINT bonds_bond_type_check "
        "CHECK (bond_type IN ('fixed', 'zero', 'amortizing'))"
    )
