"""Row-level security on the gateway's tenant tables: portfolios and what hangs off them.

A transaction acting for a tenant (every request whose user token or API key names one) sees
and writes only that tenant's portfolios, holdings, price marks, snapshots, rebalance plans,
benchmarks and account positions (the holdings read model),
even through a query that forgot its tenant filter (fleetkit.row_security). The columns are
uuid while the setting is text, so the policy compares the column's text form.

The identity tables (users, memberships, invitations, API keys, refresh tokens) stay without
it on purpose: they are read to find out who is calling and for which tenant before any tenant
is known (sign-in lists a user's tenants, an API key is looked up by its hash, an invitation
by its token), and a user belongs to several tenants. The membership audit log is one of them.
The nightly snapshots (worker) and the holdings read model (bus) run as the tables' owner, for
every tenant.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

from fleetkit.row_security import (
    TENANT_SETTING,
    create_tenant_role,
    drop_tenant_isolation,
)

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TENANT_TABLES = (
    "portfolios",
    "holdings",
    "price_marks",
    "valuation_snapshots",
    "rebalance_plans",
    "benchmarks",
    "account_positions",
)
CONDITION = f"tenant_id::text = current_setting('{TENANT_SETTING}', true)"


def upgrade() -> None:
    for statement in create_tenant_role():
        op.execute(statement)
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} "
            f"USING ({CONDITION}) WITH CHECK ({CONDITION})"
        )


def downgrade() -> None:
    for table in TENANT_TABLES:
        for statement in drop_tenant_isolation(table):
            op.execute(statement)
