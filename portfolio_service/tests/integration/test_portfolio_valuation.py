"""Portfolios over the real ledger and the real equity service; bonds, property and
certificates are priced by services absent on this branch, so they come back stale."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from fleetkit.http_client import DownstreamClient
from portfolio_service.tests.integration.conftest import Absent


@pytest.fixture
async def owner(people):
    registered = await people.register("ada@example.com", tenant_name="Ada Wealth")
    return {
        "tenant": registered["memberships"][0]["tenant_id"],
        "headers": await people.headers("ada@example.com"),
    }


@pytest.fixture
async def accounts(owner, books, market):
    """Cash 1,000.00 USD, 10 ACME shares (quoted 99/101), 5,000 of a bond's face and 20
    certificates of a campaign, in the tenant's ledger."""
    h = owner["headers"]
    await market.list("ACME")
    await market.quote("ACME", "99", "101")
    cash = await books.account(h, "ada/cash", "USD/2")
    shares = await books.account(h, "ada/ACME", "ACME/9")
    face = await books.account(h, "ada/bond", "B1/2")
    certificates = await books.account(h, "ada/certs", "C1/0")
    await books.deposit(h, cash, "1000.00")
    await books.deposit(h, shares, "10")
    await books.deposit(h, face, "5000")
    await books.deposit(h, certificates, "20")
    return {"cash": cash, "shares": shares, "face": face, "certificates": certificates}


def holdings(accounts):
    return [
        {"kind": "cash", "ledger_account_id": accounts["cash"]},
        {"kind": "equity", "ledger_account_id": accounts["shares"]},
        {"kind": "bond", "ledger_account_id": accounts["face"], "reference": "bond-1"},
        {"kind": "certificate", "ledger_account_id": accounts["certificates"],
         "reference": "campaign-1"},
        {"kind": "property", "reference": "building-1", "share": "0.25"},
    ]  # fmt: skip


async def create(gateway, owner, accounts):
    response = await gateway.post(
        "/api/v1/portfolios",
        json={"name": "Everything", "base_currency": "USD", "holdings": holdings(accounts)},
        headers=owner["headers"],
    )
    assert response.status_code == 201, response.text
    return response.json()


def line(valuation, kind):
    [found] = [h for h in valuation["holdings"] if h["kind"] == kind]
    return found


async def test_portfolio_crud(gateway, owner, accounts):
    made = await create(gateway, owner, accounts)
    h = owner["headers"]

    read = await gateway.get(f"/api/v1/portfolios/{made['id']}", headers=h)
    renamed = await gateway.patch(
        f"/api/v1/portfolios/{made['id']}", json={"name": "Renamed", "holdings": []}, headers=h
    )
    deleted = await gateway.delete(f"/api/v1/portfolios/{made['id']}", headers=h)
    gone = await gateway.get(f"/api/v1/portfolios/{made['id']}", headers=h)

    assert read.json()["holdings"] == made["holdings"]
    assert {x["kind"]: x["reference"] for x in made["holdings"]} == {
        "cash": "USD/2", "equity": "ACME", "bond": "bond-1", "certificate": "campaign-1",
        "property": "building-1"}  # fmt: skip
    assert renamed.json()["name"] == "Renamed"
    assert renamed.json()["holdings"] == []
    assert deleted.status_code == 204
    assert gone.status_code == 404


async def test_valuation_prices_what_answers_and_marks_the_rest_stale(gateway, owner, accounts):
    made = await create(gateway, owner, accounts)

    response = await gateway.get(
        f"/api/v1/portfolios/{made['id']}/valuation", headers=owner["headers"]
    )

    assert response.status_code == 200
    valuation = response.json()
    assert line(valuation, "cash")["value"] == "1000"
    equity = line(valuation, "equity")
    assert (equity["quantity"], equity["price"], equity["value"]) == ("10", "100", "1000")
    assert equity["price_source"] == "quote_mid"
    assert equity["stale"] is False
    for kind in ("bond", "certificate", "property"):
        stale = line(valuation, kind)
        assert stale["stale"] is True
        assert stale["in_total"] is False
        assert "no earlier price known" in stale["note"]
    assert line(valuation, "bond")["quantity"] == "5000"
    assert line(valuation, "property")["quantity"] == "0.25"
    assert valuation["total"] == "2000"
    assert valuation["complete"] is False
    assert valuation["stale_services"] == ["fixed_income", "issuance", "realestate"]


async def test_a_stopped_service_leaves_its_holdings_at_their_last_known_price(
    gateway, gateway_app, owner, accounts, market
):
    made = await create(gateway, owner, accounts)
    url = f"/api/v1/portfolios/{made['id']}/valuation"
    await gateway.get(url, headers=owner["headers"])  # equity answers: 100 is remembered
    gateway_app.state.downstream["equity"] = DownstreamClient(
        "portfolio", "equity", "http://equity", transport=Absent()
    )  # the equity service stops

    valuation = (await gateway.get(url, headers=owner["headers"])).json()

    equity = line(valuation, "equity")
    assert equity["stale"] is True
    assert equity["price"] == "100"
    assert equity["price_source"] == "last_known:quote_mid"
    assert equity["in_total"] is True
    assert valuation["total"] == "2000"
    assert "equity" in valuation["stale_services"]


async def test_holdings_as_of_a_past_date_use_that_days_balances_and_close(
    gateway, owner, accounts, market
):
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    await market.close("ACME", yesterday, "90")
    made = await create(gateway, owner, accounts)

    today = (
        await gateway.get(f"/api/v1/portfolios/{made['id']}/holdings", headers=owner["headers"])
    ).json()
    before = (
        await gateway.get(
            f"/api/v1/portfolios/{made['id']}/constituents",
            params={"as_of": yesterday.isoformat()}, headers=owner["headers"],
        )
    ).json()  # fmt: skip

    assert next(x for x in today if x["kind"] == "cash")["quantity"] == "1000"
    assert next(x for x in before if x["kind"] == "cash")["quantity"] == "0"  # deposited today
    equity = next(x for x in before if x["kind"] == "equity")
    assert (equity["price"], equity["price_source"], equity["price_date"]) == (
        "90", "close", yesterday.isoformat())  # fmt: skip


class Slow(httpx.AsyncBaseTransport):
    """A service that answers long after any sane deadline."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200, json={})


@pytest.fixture
def gateway_settings(settings, request):
    if "deadline" in request.node.name:
        return settings.model_copy(update={"valuation_deadline_seconds": 0.5})
    return settings


async def test_a_slow_service_is_cut_off_by_the_total_deadline(
    gateway, gateway_app, owner, accounts
):
    made = await create(gateway, owner, accounts)
    gateway_app.state.downstream["realestate"] = DownstreamClient(
        "portfolio", "realestate", "http://realestate", transport=Slow()
    )

    valuation = (
        await gateway.get(f"/api/v1/portfolios/{made['id']}/valuation", headers=owner["headers"])
    ).json()

    assert "no answer within the deadline" in line(valuation, "property")["note"]
    assert line(valuation, "equity")["stale"] is False


class BondContractStub(httpx.AsyncBaseTransport):
    """The bond valuation endpoint of CONTRACTS.md, as the fixed income service will answer it
    (that endpoint is being built on another branch)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        bond_id = request.url.path.split("/")[3]
        return httpx.Response(200, json={
            "bond_id": bond_id, "asset": "B1/2", "currency": "USD", "clean_price": "98.50",
            "dirty_price": "99.25", "accrued": "0.75", "price_per_unit_face": "0.9925",
            "price_source": "mark", "as_of": request.url.params["as_of"]})  # fmt: skip


async def test_bond_face_is_valued_at_its_dirty_price_per_unit(
    gateway, gateway_app, owner, accounts
):
    made = await create(gateway, owner, accounts)
    gateway_app.state.downstream["fixed_income"] = DownstreamClient(
        "portfolio", "fixed_income", "http://bonds", transport=BondContractStub()
    )

    valuation = (
        await gateway.get(f"/api/v1/portfolios/{made['id']}/valuation", headers=owner["headers"])
    ).json()

    bond = line(valuation, "bond")
    assert Decimal(bond["value"]) == Decimal("4962.50")  # 5,000 face x 99.25 / 100
    assert bond["price_source"] == "bond_mark"
    assert valuation["total"] == "6962.5"


async def test_a_ledger_account_of_another_tenant_cannot_be_held(gateway, people, owner, books):
    await people.register("oth@example.com", tenant_name="Other")
    other = await people.headers("oth@example.com")
    theirs = await books.account(other, "oth/cash", "USD/2")

    response = await gateway.post(
        "/api/v1/portfolios",
        json={"name": "grab", "holdings": [{"kind": "cash", "ledger_account_id": theirs}]},
        headers=owner["headers"],
    )

    assert response.status_code == 422
    assert response.json()["type"] == "urn:finfleet:problem:invalid-holding"


async def test_holding_kinds_are_checked_against_the_account(gateway, owner, accounts):
    wrong = [
        {"kind": "equity", "ledger_account_id": accounts["cash"]},
        {"kind": "cash", "ledger_account_id": accounts["shares"]},
        {"kind": "equity", "ledger_account_id": accounts["shares"], "reference": "OTHER"},
        {"kind": "bond", "ledger_account_id": accounts["face"]},
        {"kind": "property", "ledger_account_id": accounts["cash"], "reference": "b"},
        {"kind": "cash", "ledger_account_id": str(uuid.uuid4())},
    ]
    answers = [
        await gateway.post(
            "/api/v1/portfolios", json={"name": "bad", "holdings": [item]},
            headers=owner["headers"],
        )
        for item in wrong
    ]  # fmt: skip

    assert [a.status_code for a in answers] == [422] * len(wrong)
    assert {a.json()["type"] for a in answers} == {"urn:finfleet:problem:invalid-holding"}


async def test_allocation_splits_what_is_counted_and_lists_what_is_not(gateway, owner, accounts):
    made = await create(gateway, owner, accounts)

    allocation = (
        await gateway.get(f"/api/v1/portfolios/{made['id']}/allocation", headers=owner["headers"])
    ).json()

    assert {s["key"]: s["weight"] for s in allocation["by_asset_class"]} == {
        "cash": "0.5", "equity": "0.5"}  # fmt: skip
    assert allocation["by_currency"] == [{"key": "USD", "value": "2000", "weight": "1"}]
    assert len(allocation["left_out"]) == 3


async def test_calculate_answers_valuation_and_summary_together(gateway, owner, accounts):
    made = await create(gateway, owner, accounts)

    body = (
        await gateway.post(f"/api/v1/portfolios/{made['id']}/calculate", headers=owner["headers"])
    ).json()

    assert body["valuation"]["total"] == "2000"
    assert body["summary"]["value"] == "2000"
    assert body["summary"]["total_return_twr"] is None  # no snapshot yet


async def test_the_stream_sends_a_valuation_then_each_quote_of_a_held_share(
    gateway, owner, accounts, bus
):
    import json

    made = await create(gateway, owner, accounts)
    reading = asyncio.create_task(
        gateway.get(
            f"/api/v1/portfolios/{made['id']}/stream",
            params={"max_events": "2"},
            headers=owner["headers"],
        )
    )
    quote = {"symbol": "ACME", "bid": "100", "ask": "102"}
    for _ in range(100):  # the stream subscribes once its first valuation is out
        await asyncio.sleep(0.1)
        if reading.done():
            break
        await bus.publish("equity.quotes.ACME", json.dumps(quote))

    response = await reading

    assert response.headers["content-type"].startswith("text/event-stream")
    blocks = [b for b in response.text.split("\n\n") if b.strip()]
    events = [dict(line.split(": ", 1) for line in b.splitlines()) for b in blocks]
    assert [e["event"] for e in events] == ["valuation", "price"]
    assert json.loads(events[0]["data"])["total"] == "2000"
    assert json.loads(events[1]["data"]) == quote
