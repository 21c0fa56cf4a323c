"""Row-level security is on for the equity service's tenant tables, and requests act for their
tenant (the mechanism itself is shown stopping filterless SQL in the ledger's tests)."""

from __future__ import annotations

from sqlalchemy import text

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.row_security import TENANT_ROLE


async def test_every_tenant_table_has_the_tenant_policy(engine):
    async with engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, p.qual FROM pg_class c "
                "LEFT JOIN pg_policies p ON p.tablename = c.relname "
                "WHERE c.relname IN ('orders', 'fills', 'ledger_instructions')"
            )
        )
        found = {row.relname: (row.relrowsecurity, row.qual) for row in rows}

    assert set(found) == {"orders", "fills", "ledger_instructions"}
    for enabled, condition in found.values():
        assert enabled
        assert "current_setting('app.tenant_id'" in condition


async def test_a_request_acts_for_the_tenant_its_token_names(app, client, auth_headers):
    async def acting(principal: CurrentPrincipal, session: SessionDep) -> dict[str, str]:
        query = "SELECT current_user AS role, current_setting('app.tenant_id', true) AS tenant"
        row = (await session.execute(text(query))).one()
        return {"role": row.role, "tenant": row.tenant}

    app.add_api_route("/v1/test-acting", acting)

    answer = (await client.get("/v1/test-acting", headers=auth_headers(tenant_id="acme"))).json()

    assert answer == {"role": TENANT_ROLE, "tenant": "acme"}
