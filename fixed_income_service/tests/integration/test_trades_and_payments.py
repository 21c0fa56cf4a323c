"""Bond trades settle in the REAL ledger app at the dirty price (delivery versus payment, one
transaction); coupons and redemptions are paid to holders of record exactly once.

Accrued interest is checked against QuantLib's `BondFunctions.accruedAmount` on the same
bond; coupon amounts are hand-worked (5 % a year, 30/360, regular half years: 2.5 per 100).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import QuantLib as ql  # noqa: N813
from sqlalchemy import text

from fixed_income_service.bonds.schemas import BondTermsIn
from fixed_income_service.bonds.service import domain_terms
from fixed_income_service.payments.service import pay_due
from fixed_income_service.tests import quantlib_oracle
from fixed_income_service.tests.acme_note import (
    COUPON_DATES,
    MATURITY,
    TODAY,
    months_before,
    note,
    trade,
)
from fixed_income_service.tests.integration.conftest import TENANT, ledger_sums, outbox_events

PROBLEM = "urn:finfleet:problem:"


def quantlib_accrued(spec: dict[str, object], settlement: date) -> Decimal:
    wire = {k: v for k, v in spec.items() if k in BondTermsIn.model_fields}
    terms = domain_terms(BondTermsIn(**wire))
    accrued = ql.BondFunctions.accruedAmount(
        quantlib_oracle.bond(terms), quantlib_oracle.qdate(settlement)
    )
    return Decimal(repr(accrued))


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


async def test_a_buy_settles_cash_at_the_dirty_price_and_face_in_one_ledger_transaction(
    desk, desk_app, books, bond_id, owner, test_resources
):
    alice = await books.user("alice", cash="20000.00")
    response = await desk.post(
        "/v1/trades", json=trade(bond_id, alice, "buy", "10000.00", "99.5", "t-1"), headers=owner
    )
    assert response.status_code == 201, response.text
    booked = response.json()
    accrued = quantlib_accrued(note(), TODAY)
    assert abs(Decimal(booked["accrued"]) - accrued) < Decimal("1e-9")
    expected_cash = cents(Decimal("10000.00") * (Decimal("99.5") + accrued) / 100)
    assert Decimal(booked["cash_amount"]) == expected_cash
    assert booked["face_asset"] == "BOND:US0000000AB1/2"
    assert booked["settlement_date"] == TODAY.isoformat()

    ledger_tx = await books.transaction(booked["ledger_transaction_id"])
    by_asset: dict[str, list[tuple[str, Decimal]]] = {}
    for line in ledger_tx["lines"]:
        by_asset.setdefault(line["asset"], []).append((line["side"], Decimal(line["amount"])))
    assert sorted(by_asset["USD/2"]) == [("credit", expected_cash), ("debit", expected_cash)]
    assert sorted(by_asset["BOND:US0000000AB1/2"]) == [
        ("credit", Decimal("10000.00")),
        ("debit", Decimal("10000.00")),
    ]
    assert await books.posted(alice) == Decimal("20000.00") - expected_cash
    assert all(total == 0 for total in (await ledger_sums(test_resources)).values())
    [event] = await outbox_events(desk_app.state.engine, "fixed_income.trade.settled")
    assert event["cash_amount"] == booked["cash_amount"]
    assert event["ledger_transaction_id"] == booked["ledger_transaction_id"]


async def test_selling_more_face_than_held_or_buying_without_cash_is_refused_and_nothing_written(
    desk, desk_app, books, bond_id, owner
):
    bob = await books.user("bob", cash="500.00")
    sell = await desk.post(
        "/v1/trades", json=trade(bond_id, bob, "sell", "1000.00", "99", "s-1"), headers=owner
    )
    assert sell.status_code == 422, sell.text
    assert sell.json()["type"] == PROBLEM + "insufficient-face"
    buy = await desk.post(
        "/v1/trades", json=trade(bond_id, bob, "buy", "1000.00", "99", "b-1"), headers=owner
    )
    assert buy.status_code == 422, buy.text
    assert buy.json()["type"] == PROBLEM + "insufficient-funds"
    assert (await desk.get("/v1/trades", headers=owner)).json()["items"] == []
    assert await outbox_events(desk_app.state.engine, "fixed_income.trade.settled") == []
    assert await books.posted(bob) == Decimal("500.00")


async def test_the_same_client_trade_id_settles_once_and_another_body_is_a_conflict(
    desk, books, bond_id, owner
):
    carol = await books.user("carol", cash="5000.00")
    body = trade(bond_id, carol, "buy", "1000.00", "101.25", "same-1")
    first = await desk.post("/v1/trades", json=body, headers=owner)
    again = await desk.post("/v1/trades", json=body, headers=owner)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert await books.posted(carol) == Decimal("5000.00") - Decimal(first.json()["cash_amount"])
    other = await desk.post("/v1/trades", json={**body, "clean_price": "101.5"}, headers=owner)
    assert other.status_code == 409
    assert other.json()["type"] == PROBLEM + "client-trade-id-reused"


async def test_trades_belong_to_their_tenant_and_a_viewer_cannot_trade(
    desk, books, bond_id, owner, auth_headers
):
    dave = await books.user("dave", cash="5000.00")
    booked = await desk.post(
        "/v1/trades", json=trade(bond_id, dave, "buy", "1000.00", "100", "d-1"), headers=owner
    )
    other = auth_headers(tenant_id="globex", roles=frozenset({"owner"}))
    assert (await desk.get(f"/v1/trades/{booked.json()['id']}", headers=other)).status_code == 404
    viewer = auth_headers(tenant_id=TENANT, roles=frozenset({"viewer"}))
    body = trade(bond_id, dave, "buy", "1000.00", "100", "d-2")
    assert (await desk.post("/v1/trades", json=body, headers=viewer)).status_code == 403
    later = {**body, "settlement_date": (TODAY + timedelta(days=1)).isoformat()}
    refused = await desk.post("/v1/trades", json=later, headers=owner)
    assert refused.json()["type"] == PROBLEM + "invalid-settlement-date"


async def test_coupons_and_the_redemption_are_paid_to_holders_of_record_exactly_once(
    desk, desk_app, books, bond_id, owner, test_resources
):
    alice = await books.user("alice", cash="20000.00")
    bob = await books.user("bob", cash="20000.00")
    for body in (
        trade(bond_id, alice, "buy", "10000.00", "99.5", "a-1"),
        trade(bond_id, bob, "buy", "8000.00", "99.5", "b-1"),
        trade(bond_id, bob, "sell", "3000.00", "99.75", "b-2"),
    ):
        response = await desk.post("/v1/trades", json=body, headers=owner)
        assert response.status_code == 201, response.text
    before = {alice: await books.posted(alice), bob: await books.posted(bob)}
    engine, ledger_books = desk_app.state.engine, desk_app.state.books

    assert await pay_due(engine, ledger_books, COUPON_DATES[0]) == 1
    assert await pay_due(engine, ledger_books, COUPON_DATES[0]) == 0  # nothing new
    # 5 % a year on 30/360, a regular half year: 2.5 per 100 of face held.
    assert await books.posted(alice) == before[alice] + Decimal("250.00")
    assert await books.posted(bob) == before[bob] + Decimal("125.00")
    [coupon] = await outbox_events(engine, "fixed_income.coupon.paid")
    assert coupon["payment_date"] == COUPON_DATES[0].isoformat()
    assert coupon["total"] == "375.00"
    assert sorted(p["amount"] for p in coupon["payouts"]) == ["125.00", "250.00"]

    assert await pay_due(engine, ledger_books, MATURITY) == 3  # coupon, coupon, redemption
    assert await pay_due(engine, ledger_books, MATURITY + timedelta(days=30)) == 0
    assert await books.posted(alice) == before[alice] + Decimal("750.00") + Decimal("10000.00")
    assert await books.posted(bob) == before[bob] + Decimal("375.00") + Decimal("5000.00")
    [redeemed] = await outbox_events(engine, "fixed_income.bond.redeemed")
    assert (redeemed["final"], redeemed["total"]) == (True, "15000.00")
    assert len(await outbox_events(engine, "fixed_income.coupon.paid")) == 3
    sums = await ledger_sums(test_resources)
    assert all(total == 0 for total in sums.values())
    # The face is retired: nobody holds the bond any more, the street's account is back at 0.
    async with test_resources.engine("ledger_service").connect() as connection:
        held = await connection.execute(
            text(
                "SELECT name, credits_posted - debits_posted FROM accounts "
                "WHERE asset_code = 'BOND:US0000000AB1'"
            )
        )
        assert {name: Decimal(balance) for name, balance in held.all() if balance} == {}


async def test_a_coupon_recorded_before_anyone_held_the_bond_pays_nothing(
    desk, desk_app, books, owner, auth_headers
):
    # Issued three years before maturity: its first coupons were recorded long ago, when the
    # ledger held no face of it (holders of record are as-of balances, not today's).
    admin = auth_headers(tenant_id="ops", roles=frozenset({"admin"}))
    spec = note(isin="US0000000CD5", issue=months_before(MATURITY, 36))
    created = await desk.post("/v1/bonds", json=spec, headers=admin)
    bond_id = created.json()["id"]
    erin = await books.user("erin", cash="20000.00")
    response = await desk.post(
        "/v1/trades", json=trade(bond_id, erin, "buy", "10000.00", "100", "e-1"), headers=owner
    )
    assert response.status_code == 201, response.text
    before = await books.posted(erin)
    assert await pay_due(desk_app.state.engine, desk_app.state.books, COUPON_DATES[0]) == 1
    assert await books.posted(erin) == before + Decimal("250.00")
    [paid] = await outbox_events(desk_app.state.engine, "fixed_income.coupon.paid")
    assert paid["payment_date"] == COUPON_DATES[0].isoformat()


async def test_valuation_uses_the_latest_trade_or_mark_on_or_before_the_date(
    desk, books, bond_id, owner, auth_headers
):
    url = f"/v1/bonds/{bond_id}/valuation"
    nothing = (await desk.get(url, params={"as_of": TODAY.isoformat()}, headers=owner)).json()
    assert (nothing["price_source"], nothing["dirty_price"]) == ("none", None)
    assert nothing["asset"] == "BOND:US0000000AB1/2"

    frank = await books.user("frank", cash="5000.00")
    await desk.post(
        "/v1/trades", json=trade(bond_id, frank, "buy", "1000.00", "98.5", "f-1"), headers=owner
    )
    valued = (await desk.get(url, params={"as_of": TODAY.isoformat()}, headers=owner)).json()
    accrued = quantlib_accrued(note(), TODAY)
    assert valued["price_source"] == "trade"
    assert Decimal(valued["clean_price"]) == Decimal("98.5")
    assert abs(Decimal(valued["dirty_price"]) - (Decimal("98.5") + accrued)) < Decimal("1e-9")
    assert Decimal(valued["price_per_unit_face"]) == Decimal(valued["dirty_price"]) / 100
    other = auth_headers(tenant_id="globex", roles=frozenset({"owner"}))
    theirs = (await desk.get(url, params={"as_of": TODAY.isoformat()}, headers=other)).json()
    assert theirs["price_source"] == "none"  # another tenant's trade is not a price for them

    admin = auth_headers(tenant_id="ops", roles=frozenset({"admin"}))
    later = TODAY + timedelta(days=3)
    mark = await desk.post(
        f"/v1/bonds/{bond_id}/marks",
        json={"mark_date": later.isoformat(), "clean_price": "99.125"},
        headers=admin,
    )
    assert mark.status_code == 201, mark.text
    marked = (await desk.get(url, params={"as_of": later.isoformat()}, headers=other)).json()
    assert (marked["price_source"], marked["clean_price"], marked["priced_on"]) == (
        "mark", "99.125", later.isoformat(),
    )  # fmt: skip
    assert abs(Decimal(marked["accrued"]) - quantlib_accrued(note(), later)) < Decimal("1e-9")
    still_trade = (await desk.get(url, params={"as_of": TODAY.isoformat()}, headers=owner)).json()
    assert still_trade["price_source"] == "trade"
    refused = await desk.post(
        f"/v1/bonds/{bond_id}/marks",
        json={"mark_date": later.isoformat(), "clean_price": "99"},
        headers=owner,
    )
    assert refused.status_code == 403
