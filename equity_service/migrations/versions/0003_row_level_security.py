"""Row-level security on the tenant tables: orders, fills, ledger instructions.

A transaction acting for a tenant (every request whose token names one) sees and writes only
that tenant's rows, even through a query that forgot its tenant filter
(fleetkit.row_security). Order events are reached only through their tenant's order; the
reference and market data (instruments, bars, quotes, corporate actions) belong to no tenant.
Settlement, expiry and dividends run in the worker as the tables' owner, for every tenant.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from fleetkit.row_security import create_tenant_role, drop_tenant_isolation, isolate_tenants

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TENANT_TABLES = ("orders", "fills", "ledger_instructions")


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
