"""Row-level security on the tenant tables.

Every table of the service belongs to one organization: a transaction acting for a tenant
(every request whose token names one) sees and writes only that organization's rows, even
through a query that forgot its filter (fleetkit.row_security). The daily billing, late-fee
and ledger-posting runs work for every organization as the tables' owner.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from fleetkit.row_security import create_tenant_role, drop_tenant_isolation, isolate_tenants

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TENANT_TABLES = (
    "org_settings",
    "late_fee_policies",
    "buildings",
    "appraisals",
    "units",
    "renters",
    "leases",
    "rent_steps",
    "charges",
    "payments",
    "payment_reversals",
    "adjustments",
    "allocations",
    "deposit_entries",
    "expenses",
    "receipts",
    "ledger_postings",
    "audit_log",
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
