"""Trades with a trade date settle T+settlement days later through the REAL ledger app: pending
(nothing in the ledger) until beat's settlement run on the settlement date posts the same
delivery-versus-payment transaction, exactly once; not enough cash then fails the trade."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from fixed_income_service.domain.calendars import business_days_after
from fixed_income_service.tests.acme_note import TODAY, note, trade
from fixed_income_service.tests.integration.conftest import ledger_sums, outbox_events
from fixed_income_service.tests.integration.test_trades_and_payments import quantlib_accrued
from fixed_income_service.trades.settlement import settle_due

PROBLEM = "urn:finfleet:problem:"
SETTLES = business_days_after("WEEKENDS", TODAY, 1)  # the note's calendar, T+1 by default


def forward(bond_id, account, cid: str, **extra: str) -> dict[str, str]:
    return {**trade(bond_id, account, "buy", "10000.00", "99.5", cid), **extra}


async def test_a_trade_settles_t_plus_one_by_the_settlement_run_exactly_once(
    desk, desk_app, books, bond_id, owner, test_resources
):
    alice = await books.user("alice", cash="20000.00")
    booked = await desk.post(
        "/v1/trades", json=forward(bond_id, alice, "f-1", trade_date=TODAY.isoformat()),
        headers=owner,
    )  # fmt: skip
    assert booked.status_code == 201, booked.text
    pending = booked.json()
    assert (pending["status"], pending["trade_date"]) == ("pending", TODAY.isoformat())
    assert pending["settlement_date"] == SETTLES.isoformat()
    accrued = quantlib_accrued(note(), SETTLES)  # accrued to the settlement date
    assert abs(Decimal(pending["accrued"]) - accrued) < Decimal("1e-9")
    cash = (Decimal("10000.00") * (Decimal("99.5") + Decimal(pending["accrued"])) / 100).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_EVEN
    )
    assert Decimal(pending["cash_amount"]) == cash
    assert await books.posted(alice) == Decimal("20000.00")  # nothing in the ledger yet
    engine, ledger_books = desk_app.state.engine, desk_app.state.books
    assert await outbox_events(engine, "fixed_income.trade.settled") == []

    assert await settle_due(engine, ledger_books, SETTLES - timedelta(days=1)) == 0
    assert await settle_due(engine, ledger_books, SETTLES) == 1
    assert await settle_due(engine, ledger_books, SETTLES) == 0  # once
    assert await books.posted(alice) == Decimal("20000.00") - cash
    settled = await desk.get(f"/v1/trades/{pending['id']}", headers=owner)
    assert settled.json()["status"] == "settled"
    ledger_tx = await books.transaction(pending["ledger_transaction_id"])
    assert len(ledger_tx["lines"]) == 4
    [event] = await outbox_events(engine, "fixed_income.trade.settled")
    assert (event["id"], event["status"]) == (pending["id"], "settled")
    assert all(total == 0 for total in (await ledger_sums(test_resources)).values())


async def test_a_pending_buy_without_the_cash_on_its_settlement_date_fails(
    desk, desk_app, books, bond_id, owner
):
    bob = await books.user("bob", cash="0")
    booked = await desk.post(
        "/v1/trades", json=forward(bond_id, bob, "f-2", trade_date=TODAY.isoformat()),
        headers=owner,
    )  # fmt: skip
    assert booked.json()["status"] == "pending"
    assert await settle_due(desk_app.state.engine, desk_app.state.books, SETTLES) == 0
    failed = (await desk.get(f"/v1/trades/{booked.json()['id']}", headers=owner)).json()
    assert failed["status"] == "failed"
    assert "insufficient" in failed["failure"]
    assert await books.posted(bob) == Decimal(0)


async def test_trade_dates_ahead_or_settlements_passed_or_not_t_plus_one_are_refused(
    desk, books, bond_id, owner
):
    alice = await books.user("alice", cash="20000.00")
    cases = [
        ({"trade_date": (TODAY + timedelta(days=1)).isoformat()}, "invalid-trade-date"),
        ({"trade_date": (TODAY - timedelta(days=10)).isoformat()}, "invalid-settlement-date"),
        (
            {"trade_date": TODAY.isoformat(), "settlement_date": TODAY.isoformat()},
            "invalid-settlement-date",
        ),
    ]
    for number, (extra, kind) in enumerate(cases):
        refused = await desk.post(
            "/v1/trades", json=forward(bond_id, alice, f"r-{number}", **extra), headers=owner
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"] == PROBLEM + kind
