"""Row-level security on the gateway's tenant tables: a query that forgot its tenant filter,
run the way a request runs it, still sees and writes only the caller's tenant.

The repositories filter by tenant; these tests go around them on purpose, with SQL that names
no tenant, inside transactions opened the way the gateway's requests open them.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from fleetkit.row_security import acting_for
from fleetkit.testing.row_security import tables_without_tenant_policy

TENANT_TABLES = [
    "portfolios",
    "holdings",
    "price_marks",
    "valuation_snapshots",
    "rebalance_plans",
    "benchmarks",
    "account_positions",
]


@pytest.fixture
async def two_tenants(gateway, people):
    """Two tenants with a portfolio each, made through the public API."""
    tenants = {}
    for name in ("acme", "globex"):
        signed_up = await people.register(f"{name}@example.com", tenant_name=name)
        headers = await people.headers(f"{name}@example.com")
        made = await gateway.post("/api/v1/portfolios", json={"name": name}, headers=headers)
        assert made.status_code == 201, made.text
        tenants[name] = signed_up["memberships"][0]["tenant_id"]
    return tenants


async def portfolio_names(gateway_app, tenant_id: str | None) -> list[str]:
    async with gateway_app.state.sessionmaker() as session:
        with acting_for(tenant_id):
            rows = await session.execute(text("SELECT name FROM portfolios ORDER BY name"))
        return [row.name for row in rows]


async def test_every_tenant_table_has_the_tenant_policy(engine):
    assert await tables_without_tenant_policy(engine, TENANT_TABLES) == []


async def test_a_query_without_tenant_filter_sees_only_the_acting_tenant(gateway_app, two_tenants):
    assert await portfolio_names(gateway_app, two_tenants["acme"]) == ["acme"]
    assert await portfolio_names(gateway_app, two_tenants["globex"]) == ["globex"]


async def test_work_for_no_tenant_sees_every_portfolio(gateway_app, two_tenants):
    assert await portfolio_names(gateway_app, None) == ["acme", "globex"]


async def test_moving_a_portfolio_to_another_tenant_is_refused_by_postgres(
    gateway_app, two_tenants
):
    async with gateway_app.state.sessionmaker() as session:
        with acting_for(two_tenants["acme"]), pytest.raises(DBAPIError, match="row-level"):
            await session.execute(
                text("UPDATE portfolios SET tenant_id = :other"),
                {"other": two_tenants["globex"]},
            )


async def test_a_filterless_delete_cannot_reach_another_tenant(gateway_app, two_tenants):
    async with gateway_app.state.sessionmaker() as session, session.begin():
        with acting_for(two_tenants["acme"]):
            await session.execute(text("DELETE FROM rebalance_plans"))
            gone = await session.execute(text("UPDATE portfolios SET name = 'renamed'"))

    assert gone.rowcount == 1
    assert await portfolio_names(gateway_app, None) == ["globex", "renamed"]


async def test_a_gateway_request_acts_for_its_callers_tenant(gateway, people, monkeypatch):
    from portfolio_service.portfolios import repository

    signed_up = await people.register("who@example.com", tenant_name="Who")
    headers = await people.headers("who@example.com")
    made = await gateway.post("/api/v1/portfolios", json={"name": "mine"}, headers=headers)
    original, seen = repository.holdings_of, []

    async def holdings_of(session, portfolio_ids):
        query = "SELECT current_user AS role, current_setting('app.tenant_id', true) AS tenant"
        seen.append(tuple((await session.execute(text(query))).one()))
        return await original(session, portfolio_ids)

    monkeypatch.setattr(repository, "holdings_of", holdings_of)
    answer = await gateway.get(f"/api/v1/portfolios/{made.json()['id']}", headers=headers)

    assert answer.status_code == 200
    assert seen == [("finfleet_tenant", signed_up["memberships"][0]["tenant_id"])]
