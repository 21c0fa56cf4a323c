"""Benchmarks: a tenant's named asset-class weights, each class tracked by an index or a rate.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE benchmarks (
            id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL REFERENCES tenants (id),
            name text NOT NULL,
            components jsonb NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT uq_benchmarks_tenant_name UNIQUE (tenant_id, name))"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE benchmarks")
