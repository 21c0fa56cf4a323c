"""Row-level security on the tenant tables.

Bonds, curves and marks are shared reference data; a tenant's analytics jobs, trades and
payments are seen and written only by transactions acting for that tenant (every request whose
token names one), even through a query that forgot its filter (fleetkit.row_security). Coupon
and redemption runs pay every tenant's holders as the tables' owner.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

from fleetkit.row_security import create_tenant_role, drop_tenant_isolation, isolate_tenants

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TENANT_TABLES = ("analytics_jobs", "bond_trades", "bond_payments")


def upgrade() -> None:
    for statement in create_tenant_role():
        op.execute(statement)
    for table in TENANT_TABLES:
        for statement in isolate_tenants(table):
            op.execute(statement)


def downgrade() -> None:
    for table in TENANT_TABLES:
        for statement in drop_tenant_isolation(table):
            op.execute(statement)
