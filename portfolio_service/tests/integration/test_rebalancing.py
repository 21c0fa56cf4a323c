"""Targets, rebalance plans and their execution as real equity orders (the equity app and the
ledger app in-process); illiquid holdings stay fixed."""

from __future__ import annotations

import uuid
from decimal import ROUND_DOWN, Decimal

import pytest
from sqlalchemy import text

from equity_service.books.accounts import user_book


@pytest.fixture
async def invested(people, gateway, books, market, equity_app):
    """A user with 10,000 USD who bought 10 ACME (quoted 99/101), settled, in a portfolio
    that also holds a quarter of a building (its service is absent: fixed and left out)."""
    registered = await people.register("reb@example.com", tenant_name="Rebalancers")
    tenant = registered["memberships"][0]["tenant_id"]
    h = await people.headers("reb@example.com")
    await market.list("ACME")
    await market.quote("ACME", "99", "101")
    cash = await books.account(h, "reb/cash", "USD/2")
    await books.deposit(h, cash, "10000.00")
    bought = await gateway.post("/api/v1/equity/orders", headers=h, json={
        "client_order_id": "first", "account_id": cash, "symbol": "ACME", "side": "buy",
        "type": "market", "qty": "10"})  # fmt: skip
    assert bought.json()["status"] == "filled", bought.text
    await market.settle()
    shares = str(user_book(tenant, uuid.UUID(cash), "ACME").shares.id)
    portfolio = await gateway.post("/api/v1/portfolios", headers=h, json={
        "name": "growth", "holdings": [
            {"kind": "cash", "ledger_account_id": cash},
            {"kind": "equity", "ledger_account_id": shares},
            {"kind": "property", "reference": "tower", "share": "0.25"}]})  # fmt: skip
    assert portfolio.status_code == 201, portfolio.text
    body = portfolio.json()
    equity_holding = next(x["id"] for x in body["holdings"] if x["kind"] == "equity")
    return {"headers": h, "id": body["id"], "equity": equity_holding}


async def test_targets_are_checked_and_stored(gateway, invested):
    url = f"/api/v1/portfolios/{invested['id']}/targets"
    h = invested["headers"]

    too_much = await gateway.put(url, headers=h, json={"weights": {"equity": "0.7", "cash": "0.4"}})
    unknown = await gateway.put(url, headers=h, json={"weights": {"crypto": "0.1"}})
    stored = await gateway.put(url, headers=h, json={"weights": {invested["equity"]: "0.5"}})

    assert too_much.json()["type"] == "urn:finfleet:problem:invalid-weights"
    assert unknown.json()["type"] == "urn:finfleet:problem:unknown-target"
    assert stored.json()["cash_weight"] == "0.5"
    assert (await gateway.get(url, headers=h)).json() == stored.json()


async def test_a_full_plan_buys_toward_target_and_executing_twice_places_nothing_new(
    gateway, invested, test_resources
):
    h = invested["headers"]
    base = f"/api/v1/portfolios/{invested['id']}"
    await gateway.put(f"{base}/targets", headers=h, json={"weights": {invested["equity"]: "0.5"}})
    valuation = (await gateway.get(f"{base}/valuation", headers=h)).json()
    total = Decimal(valuation["total"])  # cash and shares; the building is left out (absent)

    planned = await gateway.post(f"{base}/rebalance-plans", headers=h, json={"mode": "full"})

    assert planned.status_code == 201, planned.text
    plan = planned.json()
    [leg] = plan["legs"]
    expected = ((total / 2 - Decimal(1000)) / Decimal(100)).quantize(Decimal(1), ROUND_DOWN)
    assert (leg["symbol"], leg["side"], Decimal(leg["qty"])) == ("ACME", "buy", expected)
    assert [f.split(" ")[1] for f in plan["fixed"]] == ["(property:"]

    first = await gateway.post(f"{base}/rebalance-plans/{plan['id']}/execute", headers=h)
    again = await gateway.post(f"{base}/rebalance-plans/{plan['id']}/execute", headers=h)

    [order] = first.json()["orders"]
    assert order["client_order_id"] == f"{plan['id']}:1"
    assert order["http_status"] == 201
    assert order["status"] == "filled"
    [replayed] = again.json()["orders"]
    assert replayed["order_id"] == order["order_id"]
    async with test_resources.engine("equity_service").connect() as connection:
        count = await connection.scalar(
            text("SELECT count(*) FROM orders WHERE client_order_id LIKE :p"),
            {"p": f"{plan['id']}:%"},
        )
    assert count == 1


async def test_a_cash_flow_plan_never_sells(gateway, invested):
    h = invested["headers"]
    base = f"/api/v1/portfolios/{invested['id']}"
    # Shares are 10 % of the total; a 5 % target would need a sale, which cash_flow refuses.
    await gateway.put(f"{base}/targets", headers=h, json={"weights": {invested["equity"]: "0.05"}})

    plan = (
        await gateway.post(f"{base}/rebalance-plans", headers=h, json={"mode": "cash_flow"})
    ).json()
    full = (await gateway.post(f"{base}/rebalance-plans", headers=h, json={"mode": "full"})).json()

    assert plan["legs"] == []
    assert [leg["side"] for leg in full["legs"]] == ["sell"]


async def test_a_plan_needs_targets_and_the_rebalance_right(gateway, invested, people):
    base = f"/api/v1/portfolios/{invested['id']}"

    without = await gateway.post(
        f"{base}/rebalance-plans", headers=invested["headers"], json={"mode": "full"}
    )

    assert without.status_code == 422
    assert without.json()["type"] == "urn:finfleet:problem:targets-required"


async def test_the_seed_rebalance_endpoint_plans_and_executes_in_one_call(gateway, invested):
    h = invested["headers"]
    base = f"/api/v1/portfolios/{invested['id']}"
    await gateway.put(f"{base}/targets", headers=h, json={"weights": {invested["equity"]: "0.5"}})

    done = await gateway.post(
        f"{base}/rebalance", headers=h, json={"mode": "full", "execute": True}
    )

    assert done.status_code == 201, done.text
    [order] = done.json()["orders"]
    assert order["status"] == "filled"
    assert done.json()["executed_at"] is not None
