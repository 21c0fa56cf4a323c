"""Row-level security on the tenant tables: accounts and transactions.

A transaction acting for a tenant (every request whose token names one) sees and writes only
that tenant's accounts and transactions, even through a query that forgot its tenant filter
(fleetkit.row_security). Lines and entries carry no tenant of their own: they are reached only
through a tenant's account or transaction, and a policy on them would need a join per row on
the posting path.

Transaction ids are unique across the whole book, so the posting path must know that an id is
taken even when another tenant took it: `transaction_fingerprints` answers that one question
past the policy (SECURITY DEFINER, run as the tables' owner) and shows nothing of the other
tenant's transaction but the fact ("another-tenant" in place of its fingerprint).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from fleetkit.row_security import create_tenant_role, drop_tenant_isolation, isolate_tenants

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TENANT_TABLES = ("accounts", "transactions")

TRANSACTION_FINGERPRINTS = """
CREATE FUNCTION transaction_fingerprints(ids uuid[], tenant text) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT array_agg(t.id::text || ' ' ||
                     CASE WHEN t.tenant_id = tenant THEN t.request_hash ELSE 'another-tenant' END)
      FROM transactions t
     WHERE t.id = ANY(ids)
$$
"""


def upgrade() -> None:
    for statement in create_tenant_role():
        op.execute(statement)
    for table in TENANT_TABLES:
        for statement in isolate_tenants(table):
            op.execute(statement)
    op.execute(TRANSACTION_FINGERPRINTS)


def downgrade() -> None:
    op.execute("DROP FUNCTION transaction_fingerprints(uuid[], text)")
    for table in TENANT_TABLES:
        for statement in drop_tenant_isolation(table):
            op.execute(statement)
