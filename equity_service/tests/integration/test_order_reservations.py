"""Orders against the real ledger: holds on placement, fills settled as DvP, releases."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from equity_service.books.accounts import user_book
from equity_service.orders.tasks import expire_due_orders
from equity_service.settlement.models import LedgerInstruction


def order(account_id, **fields):
    body = {
        "client_order_id": "c-1",
        "account_id": str(account_id),
        "symbol": "ACME",
        "side": "buy",
        "type": "limit",
        "qty": "10",
        "limit_price": "100.00",
        "time_in_force": "gtc",
    }
    body.update(fields)
    return body


def D(text):
    return Decimal(text)


async def test_limit_buy_reserves_qty_times_limit_in_the_ledger(equity, market, books):
    await market.list()
    await market.quote("ACME", "101.00", "101.50")
    alice = await books.user("alice", cash="5000.00")

    response = await equity.post("/v1/orders", json=order(alice))

    assert response.status_code == 201, response.text
    assert response.json()["status"] == "new"
    assert response.json()["reserved"] == "1000"
    balance = await books.balance(alice)
    assert balance["posted"] == D("5000.00")
    assert balance["available"] == D("4000.00")


async def test_market_buy_settles_cash_against_shares_in_one_transaction(
    equity, market, books, books_clean
):
    await market.list()
    await market.quote("ACME", "99.00", "99.50")
    alice = await books.user("alice", cash="5000.00")

    response = await equity.post(
        "/v1/orders", json=order(alice, type="market", limit_price=None, time_in_force="day")
    )
    assert response.json()["status"] == "filled", response.text
    assert await market.settle() == 2  # the fill, then the release of the unused buffer

    shares = user_book("acme", alice, "ACME").shares.id
    assert (await books.balance(alice))["posted"] == D("4005.00")
    assert (await books.balance(shares))["posted"] == D("10")
    await books_clean()


async def test_cancel_releases_exactly_the_unfilled_reservation(equity, market, books, books_clean):
    await market.list()
    alice = await books.user("alice", cash="5000.00")
    await market.quote("ACME", "99.00", "99.50", size="4")
    placed = (await equity.post("/v1/orders", json=order(alice))).json()
    assert placed["status"] == "partially_filled"
    assert placed["filled_qty"] == "4"
    await market.quote("ACME", "99.00", "99.75", size="3")

    canceled = await equity.delete(f"/v1/orders/{placed['id']}")
    await market.settle()

    assert canceled.json()["status"] == "canceled"
    assert canceled.json()["filled_qty"] == "7"
    paid = 4 * D("99.50") + 3 * D("99.75")
    balance = await books.balance(alice)
    assert balance == {
        "posted": D("5000.00") - paid,
        "pending": D("5000.00") - paid,
        "available": D("5000.00") - paid,
    }
    await books_clean()


async def test_ioc_fills_what_the_quote_shows_and_cancels_the_rest(
    equity, market, books, books_clean
):
    await market.list()
    alice = await books.user("alice", cash="5000.00")
    await market.quote("ACME", "99.00", "99.50", size="4")

    placed = (await equity.post("/v1/orders", json=order(alice, time_in_force="ioc"))).json()
    await market.settle()

    assert (placed["status"], placed["filled_qty"]) == ("canceled", "4")
    assert (await books.balance(alice))["available"] == D("5000.00") - 4 * D("99.50")
    await books_clean()


async def test_fok_that_cannot_fill_entirely_fills_nothing(equity, market, books, books_clean):
    await market.list()
    alice = await books.user("alice", cash="5000.00")
    await market.quote("ACME", "99.00", "99.50", size="4")

    placed = (await equity.post("/v1/orders", json=order(alice, time_in_force="fok"))).json()
    await market.settle()

    assert (placed["status"], placed["filled_qty"]) == ("canceled", "0")
    assert (await books.balance(alice))["available"] == D("5000.00")
    await books_clean()


async def test_fok_that_can_fill_entirely_is_filled(equity, market, books, books_clean):
    await market.list()
    alice = await books.user("alice", cash="5000.00")
    await market.quote("ACME", "99.00", "99.50", size="10")

    placed = (await equity.post("/v1/orders", json=order(alice, time_in_force="fok"))).json()
    await market.settle()

    assert (placed["status"], placed["filled_qty"]) == ("filled", "10")
    assert (await books.balance(alice))["posted"] == D("5000.00") - 10 * D("99.50")
    await books_clean()


async def test_day_order_expires_at_the_close_and_releases_its_hold(
    equity, equity_app, market, books, books_clean
):
    await market.list()
    alice = await books.user("alice", cash="5000.00")
    await market.quote("ACME", "101.00", "101.50")
    placed = (await equity.post("/v1/orders", json=order(alice, time_in_force="day"))).json()
    from datetime import datetime

    close = datetime.fromisoformat(placed["expire_at"])
    assert await expire_due_orders(equity_app.state.engine, close - timedelta(seconds=1)) == 0

    assert await expire_due_orders(equity_app.state.engine, close) == 1
    await market.settle()

    assert (await equity.get(f"/v1/orders/{placed['id']}")).json()["status"] == "expired"
    assert (await books.balance(alice))["available"] == D("5000.00")
    await books_clean()


async def test_buy_beyond_available_cash_is_rejected_and_holds_nothing(
    equity, market, books, books_clean
):
    await market.list()
    alice = await books.user("alice", cash="999.99")
    await market.quote("ACME", "101.00", "101.50")

    placed = (await equity.post("/v1/orders", json=order(alice))).json()

    assert (placed["status"], placed["reject_reason"]) == ("rejected", "insufficient-funds")
    assert (await books.balance(alice))["available"] == D("999.99")
    await books_clean()


async def test_opposite_user_orders_cross_internally_at_the_resting_price(
    equity, market, books, books_clean
):
    await market.list()
    alice = await books.user("alice", cash="2000.00")
    bob = await books.user("bob", cash="2000.00")
    await market.quote("ACME", "99.00", "99.50", size="10")
    await equity.post("/v1/orders", json=order(alice, client_order_id="a-buy", qty="10"))
    await market.settle()  # shares can be sold once delivered
    await market.quote("ACME", "90.00", "110.00", size="10")  # nothing marketable any more
    sell = await equity.post(
        "/v1/orders",
        json=order(alice, client_order_id="a-sell", side="sell", qty="6", limit_price="105.00"),
    )
    assert sell.json()["status"] == "new"

    buy = await equity.post(
        "/v1/orders", json=order(bob, client_order_id="b-buy", qty="8", limit_price="106.00")
    )
    await market.settle()

    assert (buy.json()["status"], buy.json()["filled_qty"]) == ("partially_filled", "6")
    assert (await equity.get(f"/v1/orders/{sell.json()['id']}")).json()["status"] == "filled"
    bob_shares = user_book("acme", bob, "ACME").shares.id
    assert (await books.balance(bob_shares))["posted"] == D("6")
    assert (await books.balance(alice))["posted"] == D("2000.00") - 10 * D("99.50") + 6 * D(
        "105.00"
    )
    await equity.delete(f"/v1/orders/{buy.json()['id']}")
    await market.settle()
    assert (await books.balance(bob))["available"] == D("2000.00") - 6 * D("105.00")
    await books_clean()


async def test_sell_without_shares_is_rejected(equity, market, books):
    await market.list()
    alice = await books.user("alice", cash="100.00")
    await market.quote("ACME", "99.00", "99.50")

    placed = (await equity.post("/v1/orders", json=order(alice, side="sell"))).json()

    assert (placed["status"], placed["reject_reason"]) == ("rejected", "insufficient-funds")


async def test_every_fill_and_release_is_settled_once(equity, equity_app, market, books):
    await market.list()
    alice = await books.user("alice", cash="5000.00")
    await market.quote("ACME", "99.00", "99.50", size="4")
    await equity.post("/v1/orders", json=order(alice, time_in_force="ioc"))

    assert await market.settle() == 2
    assert await market.settle() == 0
    async with equity_app.state.sessionmaker() as session:
        undone = await session.scalar(
            select(func.count()).where(LedgerInstruction.done_at.is_(None))
        )
    assert undone == 0


async def test_a_user_never_trades_with_their_own_resting_order(equity, market, books):
    await market.list()
    alice = await books.user("alice", cash="2000.00")
    await market.quote("ACME", "99.00", "99.50", size="10")
    await equity.post("/v1/orders", json=order(alice, client_order_id="a-buy", qty="10"))
    await market.settle()
    await market.quote("ACME", "90.00", "110.00", size="10")
    sell = await equity.post(
        "/v1/orders",
        json=order(alice, client_order_id="a-sell", side="sell", qty="5", limit_price="105.00"),
    )

    buy = await equity.post(
        "/v1/orders", json=order(alice, client_order_id="a-buy-2", qty="5", limit_price="106.00")
    )

    assert buy.json()["status"] == "new"
    assert (await equity.get(f"/v1/orders/{sell.json()['id']}")).json()["status"] == "new"
