"""Income in the summary: dividends and coupons credited to the portfolio's cash account in the
REAL ledger (with the metadata equity and fixed income give them), and rent from a REAL
real-estate app, the portfolio owning half of the building."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from fleetkit.db import make_sessionmaker
from fleetkit.testing.plugin import close_app, truncate_all
from portfolio_service.main import create_app
from portfolio_service.tests.integration.conftest import Absent

_keys = itertools.count()


@pytest.fixture
async def re_app(test_resources, ledger_app, redis, bus):
    from realestate_service.main import create_app as create_realestate

    app = create_realestate(
        test_resources.settings("realestate_service"),
        ledger_transport=httpx.ASGITransport(app=ledger_app),
    )
    yield app
    await close_app(app)
    await truncate_all(test_resources.engine("realestate_service"))


@pytest.fixture
async def gateway(gateway_settings, ledger_app, equity_app, re_app, committed, redis, bus):
    """The gateway with the real ledger, equity and real-estate apps behind it."""
    app = create_app(
        gateway_settings,
        transports={
            "ledger": httpx.ASGITransport(app=ledger_app),
            "equity": httpx.ASGITransport(app=equity_app),
            "realestate": httpx.ASGITransport(app=re_app),
            "fixed_income": Absent(),
            "issuance": Absent(),
        },
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client
    await close_app(app)


async def post(gateway, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    response = await gateway.post(
        path, json=body, headers={**headers, "Idempotency-Key": f"k-{next(_keys)}"}
    )
    assert response.status_code < 300, response.text
    return response.json()


async def pay_out(gateway, h, payer: str, cash: str, amount: str, metadata: dict[str, Any]) -> None:
    await post(gateway, "/api/v1/ledger/transactions", {
        "id": str(uuid.uuid4()), "metadata": metadata, "lines": [
            {"account_id": payer, "side": "debit", "amount": amount},
            {"account_id": cash, "side": "credit", "amount": amount}]}, h)  # fmt: skip


async def test_summary_income_adds_dividends_coupons_and_the_share_of_rent(
    gateway, people, books, re_app
):
    from realestate_service.billing.runs import generate_rent

    await people.register("ivy@example.com", tenant_name="Income")
    h = await people.headers("ivy@example.com")
    cash = await books.account(h, "ivy/cash", "USD/2")
    payer = (await post(gateway, "/api/v1/ledger/accounts",
                        {"name": "ivy/agent", "asset": "USD/2"}, h))["id"]  # fmt: skip
    await books.deposit(h, cash, "1000.00")  # the owner's money: a flow, not income
    bond = str(uuid.uuid4())
    await pay_out(gateway, h, payer, cash, "25.00",
                  {"bond_id": bond, "kind": "coupon", "payment_date": "2026-06-30"})  # fmt: skip
    await pay_out(
        gateway, h, payer, cash, "1000.00", {"bond_id": bond, "kind": "redemption"}
    )  # principal back: not income
    await pay_out(
        gateway,
        h,
        payer,
        cash,
        "12.50",
        {"action_id": str(uuid.uuid4()), "symbol": "ACME", "cash_per_share": "0.25"},
    )
    year = datetime.now(UTC).year
    building = (await post(gateway, "/api/v1/realestate/buildings", {"name": "Elm"}, h))["id"]
    unit = await post(gateway, f"/api/v1/realestate/buildings/{building}/units",
                      {"label": "1A"}, h)  # fmt: skip
    renter = await post(gateway, "/api/v1/realestate/tenants", {"name": "Dana"}, h)
    lease = await post(
        gateway,
        "/api/v1/realestate/leases",
        {
            "unit_id": unit["id"],
            "tenant_id": renter["id"],
            "start_on": f"{year}-01-01",
            "due_day": 1,
            "rent": [{"effective_on": f"{year}-01-01", "amount": "1400"}],
        },
        h,
    )
    await post(gateway, f"/api/v1/realestate/leases/{lease['id']}/activate", {}, h)
    async with make_sessionmaker(re_app.state.engine)() as session, session.begin():
        await generate_rent(session, date(year, 1, 1))
    await post(gateway, f"/api/v1/realestate/leases/{lease['id']}/payments",
               {"amount": "1400", "received_on": f"{year}-01-01"}, h)  # fmt: skip
    pid = (await post(gateway, "/api/v1/portfolios", {"name": "p", "holdings": [
        {"kind": "cash", "ledger_account_id": cash},
        {"kind": "property", "reference": building, "share": "0.5"}]}, h))["id"]  # fmt: skip

    summary = await gateway.get(f"/api/v1/portfolios/{pid}/summary", headers=h)

    assert summary.status_code == 200, summary.text
    income = summary.json()["income"]
    assert income["by_source"] == {"dividends": "12.5", "coupons": "25", "rent": "700"}
    assert income["total"] == "737.5"
    assert (income["from"], income["complete"]) == (f"{year}-01-01", True)


async def test_income_before_the_period_is_not_counted_and_a_reversed_period_is_refused(
    gateway, people, books
):
    await people.register("jo@example.com", tenant_name="Early")
    h = await people.headers("jo@example.com")
    cash = await books.account(h, "jo/cash", "USD/2")
    payer = (await post(gateway, "/api/v1/ledger/accounts",
                        {"name": "jo/agent", "asset": "USD/2"}, h))["id"]  # fmt: skip
    await pay_out(gateway, h, payer, cash, "5.00", {"bond_id": "b", "kind": "coupon"})
    pid = (await post(gateway, "/api/v1/portfolios", {"name": "p", "holdings": [
        {"kind": "cash", "ledger_account_id": cash}]}, h))["id"]  # fmt: skip
    today = datetime.now(UTC).date()

    url = f"/api/v1/portfolios/{pid}/summary"

    earlier = await gateway.get(url, params={"from": "2020-01-01", "to": "2020-12-31"}, headers=h)
    reversed_ = await gateway.get(
        url, params={"from": today.isoformat(), "to": "2020-01-01"}, headers=h
    )

    assert earlier.json()["income"]["total"] == "0"
    assert reversed_.status_code == 422


async def test_a_silent_real_estate_service_is_named_and_its_rent_left_out(
    people, books, gateway_app
):
    transport = httpx.ASGITransport(app=gateway_app)  # real estate absent in this app
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        from portfolio_service.tests.integration.conftest import People

        await People(client).register("kim@example.com", tenant_name="Silent")
        h = await People(client).headers("kim@example.com")
        pid = (await post(client, "/api/v1/portfolios", {"name": "p", "holdings": [
            {"kind": "property", "reference": str(uuid.uuid4())}]}, h))["id"]  # fmt: skip

        income = (await client.get(f"/api/v1/portfolios/{pid}/summary", headers=h)).json()

    assert income["income"]["unavailable"] == ["realestate"]
    assert income["income"]["complete"] is False
