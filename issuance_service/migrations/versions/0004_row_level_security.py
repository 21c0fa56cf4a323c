"""Row-level security on the tenant tables.

Issuers and their documents, investors, campaigns, investments and chain intents belong to one
organization: a transaction acting for a tenant (every request whose token names one) sees and
writes only that organization's rows, even through a query that forgot its filter
(fleetkit.row_security). Closing campaigns, minting, and reconciling the chain run in the worker
for every organization as the tables' owner; nonce managers and reconciliation runs belong to
the platform, not to a tenant.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from fleetkit.row_security import create_tenant_role, drop_tenant_isolation, isolate_tenants

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TENANT_TABLES = (
    "issuers",
    "issuer_documents",
    "investors",
    "campaigns",
    "investments",
    "chain_intents",
)


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
