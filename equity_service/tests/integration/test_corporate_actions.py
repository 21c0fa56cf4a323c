"""A 3:1 split and a cash dividend against the real ledger: holdings, lots and open orders
scale exactly, holders of record are paid, and nothing stays reserved."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from equity_service.books.accounts import user_book
from equity_service.corporate_actions.dividends import declare_dividend, pay_due_dividends
from equity_service.corporate_actions.service import apply_split
from equity_service.domain.splits import Ratio
from fleetkit.problems import ProblemError

D = Decimal


def order(account_id, client_order_id, **fields):
    return {
        "client_order_id": client_order_id,
        "account_id": str(account_id),
        "symbol": "ACME",
        "time_in_force": "gtc",
        **fields,
    }


@pytest.fixture
async def holdings(equity, market, books):
    """Alice holds 10 ACME (bought at 99.50) and offers 4 at 120; Bob bids 5 at 90."""
    await market.list()
    alice = await books.user("alice", cash="2000.00")
    bob = await books.user("bob", cash="1000.00")
    await market.quote("ACME", "99.00", "99.50")
    await equity.post(
        "/v1/orders",
        json=order(alice, "a-1", side="buy", type="market", qty="10", time_in_force="day"),
    )
    await market.settle()
    await market.quote("ACME", "80.00", "130.00")
    sell = (
        await equity.post(
            "/v1/orders",
            json=order(alice, "a-2", side="sell", type="limit", qty="4", limit_price="120.00"),
        )
    ).json()
    buy = (
        await equity.post(
            "/v1/orders",
            json=order(bob, "b-1", side="buy", type="limit", qty="5", limit_price="90.00"),
        )
    ).json()
    return alice, bob, sell, buy


async def split(app, ratio=Ratio(D(3), D(1)), action_id=None):
    async with app.state.sessionmaker() as session, session.begin():
        return await apply_split(session, app.state.books, "ACME", ratio, action_id or uuid.uuid4())


async def test_three_for_one_split_scales_holdings_and_open_orders_exactly(
    equity, equity_app, market, books, books_clean, holdings
):
    alice, bob, sell, buy = holdings

    await split(equity_app)
    await market.settle()

    shares = user_book("acme", alice, "ACME")
    assert (await books.balance(shares.shares.id))["posted"] == D(18)
    assert (await books.balance(shares.shares_reserve.id))["posted"] == D(12)
    after_sell = (await equity.get(f"/v1/orders/{sell['id']}")).json()
    after_buy = (await equity.get(f"/v1/orders/{buy['id']}")).json()
    assert (after_sell["qty"], after_sell["limit_price"]) == ("12", "40")
    assert (after_buy["qty"], after_buy["limit_price"]) == ("15", "30")
    [position] = (await equity.get("/v1/positions", params={"account_id": str(alice)})).json()
    assert (position["qty"], position["cost_basis"], position["avg_entry_price"]) == (
        "30",
        "995.00",
        "33.17",
    )

    await equity.delete(f"/v1/orders/{sell['id']}")
    await equity.delete(f"/v1/orders/{buy['id']}")
    await market.settle()
    assert (await books.balance(shares.shares.id))["available"] == D(30)
    assert (await books.balance(bob))["available"] == D("1000.00")
    await books_clean()


async def test_split_adjusted_sell_fills_and_realises_fifo_profit(
    equity, equity_app, market, books, books_clean, holdings
):
    alice, _bob, sell, buy = holdings
    await split(equity_app)
    await market.settle()

    await market.quote("ACME", "41.00", "42.00")
    await market.settle()

    assert (await equity.get(f"/v1/orders/{sell['id']}")).json()["status"] == "filled"
    [position] = (await equity.get("/v1/positions", params={"account_id": str(alice)})).json()
    # 12 of 30 shares sold at 41: 492 - 995 x 12/30 = 94 realised
    assert (position["qty"], position["realized_pl"]) == ("18", "94.00")
    assert (await books.balance(alice))["posted"] == D("2000.00") - D("995.00") + D("492.00")
    await equity.delete(f"/v1/orders/{buy['id']}")
    await market.settle()
    await books_clean()


async def test_split_is_applied_once_per_action_id(equity_app, market, books, holdings):
    alice, *_ = holdings
    action = uuid.uuid4()

    await split(equity_app, action_id=action)
    await split(equity_app, action_id=action)
    await market.settle()

    assert (await books.balance(user_book("acme", alice, "ACME").shares.id))["posted"] == D(18)


async def test_split_that_would_lose_a_fraction_is_refused(equity_app, market, books, holdings):
    with pytest.raises(ProblemError) as refused:
        await split(equity_app, Ratio(D(1), D(7)))
    assert refused.value.kind == "inexact-split"


async def test_dividend_is_paid_on_its_pay_date_to_holders_of_record(
    equity, equity_app, market, books, books_clean, holdings
):
    alice, bob, sell, buy = holdings
    await equity.delete(f"/v1/orders/{sell['id']}")
    await equity.delete(f"/v1/orders/{buy['id']}")
    await market.settle()
    today = datetime.now(UTC).date()
    engine, ledger_books = equity_app.state.engine, equity_app.state.books
    async with equity_app.state.sessionmaker() as session, session.begin():
        await declare_dividend(
            session, "ACME", D("0.125"), today, today + timedelta(days=1), uuid.uuid4()
        )

    assert await pay_due_dividends(engine, ledger_books, today) == 0
    assert await pay_due_dividends(engine, ledger_books, today + timedelta(days=1)) == 1
    assert await pay_due_dividends(engine, ledger_books, today + timedelta(days=2)) == 0
    await market.settle()

    # 10 shares x 0.125 = 1.25; Bob held none and is paid nothing
    assert (await books.balance(alice))["posted"] == D("2000.00") - D("995.00") + D("1.25")
    assert (await books.balance(bob))["posted"] == D("1000.00")
    await books_clean()


async def test_dividend_payouts_round_down_to_the_cent(
    equity, equity_app, market, books, books_clean, holdings
):
    alice, _bob, sell, buy = holdings
    await equity.delete(f"/v1/orders/{sell['id']}")
    await equity.delete(f"/v1/orders/{buy['id']}")
    await market.settle()
    today = datetime.now(UTC).date()
    async with equity_app.state.sessionmaker() as session, session.begin():
        await declare_dividend(session, "ACME", D("0.3333"), today, today, uuid.uuid4())
    await pay_due_dividends(equity_app.state.engine, equity_app.state.books, today)
    await market.settle()

    # 10 x 0.3333 = 3.333 -> 3.33
    assert (await books.balance(alice))["posted"] == D("2000.00") - D("995.00") + D("3.33")
    await books_clean()
