"""Row-level security is on for the issuance service's tenant tables, and requests act for
their tenant (the mechanism itself is shown stopping filterless SQL in the ledger's tests)."""

from __future__ import annotations

from fleetkit.row_security import TENANT_ROLE
from fleetkit.testing.row_security import request_acts_as, tables_without_tenant_policy

TENANT_TABLES = [
    "issuers",
    "issuer_documents",
    "investors",
    "campaigns",
    "investments",
    "chain_intents",
]


async def test_every_tenant_table_has_the_tenant_policy(engine):
    assert await tables_without_tenant_policy(engine, TENANT_TABLES) == []


async def test_a_request_acts_for_the_tenant_its_token_names(app, client, auth_headers):
    answer = await request_acts_as(app, client, auth_headers(tenant_id="acme"))
    assert answer == {"role": TENANT_ROLE, "tenant": "acme"}
