"""Checks that a service has row-level security on, for its own tests (fleetkit.row_security).

The mechanism itself is shown stopping filterless SQL in the ledger's tests; each other
service shows that its tenant tables carry the policy and that its requests act for their
tenant.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep

ACTING_ROUTE = "/v1/test-acting-for"


async def tables_without_tenant_policy(engine: AsyncEngine, tables: list[str]) -> list[str]:
    """Those of `tables` that lack row-level security or the tenant policy."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_policies p ON p.tablename = c.relname "
                "WHERE c.relrowsecurity AND p.policyname = 'tenant_isolation' "
                "AND p.qual LIKE '%current_setting(''app.tenant_id''%'"
            )
        )
        protected = {row.relname for row in rows}
    return sorted(set(tables) - protected)


async def request_acts_as(app: Any, client: Any, headers: dict[str, str]) -> dict[str, str]:
    """The database role and tenant a request with `headers` runs its transaction as."""

    async def acting(principal: CurrentPrincipal, session: SessionDep) -> dict[str, str]:
        query = "SELECT current_user AS role, current_setting('app.tenant_id', true) AS tenant"
        row = (await session.execute(text(query))).one()
        return {"role": row.role, "tenant": row.tenant}

    app.add_api_route(ACTING_ROUTE, acting)
    answer: dict[str, str] = (await client.get(ACTING_ROUTE, headers=headers)).json()
    return answer
