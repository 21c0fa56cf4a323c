"""Limit and stop orders rest and trigger as quotes move; the simulated feed is seeded."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete

from equity_service.market_data.models import QuoteRecord
from equity_service.market_data.service import quote_message
from equity_service.market_data.tasks import simulate_step

D = Decimal


def order(account_id, **fields):
    return {
        "client_order_id": "r-1",
        "account_id": str(account_id),
        "symbol": "ACME",
        "time_in_force": "gtc",
        "side": "buy",
        "qty": "10",
        **fields,
    }


async def test_resting_limit_buy_fills_when_the_ask_comes_down_to_it(
    equity, market, books, books_clean
):
    await market.list()
    alice = await books.user("alice", cash="2000.00")
    await market.quote("ACME", "99.50", "100.00")
    placed = (
        await equity.post("/v1/orders", json=order(alice, type="limit", limit_price="95.00"))
    ).json()
    assert placed["status"] == "new"

    await market.quote("ACME", "94.00", "94.50")
    await market.settle()

    filled = (await equity.get(f"/v1/orders/{placed['id']}")).json()
    assert (filled["status"], filled["filled_avg_price"]) == ("filled", "94.5")
    assert (await books.balance(alice))["available"] == D("2000.00") - D("945.00")
    await books_clean()


async def test_stop_buy_triggers_when_the_ask_reaches_the_stop(equity, market, books):
    await market.list()
    alice = await books.user("alice", cash="2000.00")
    await market.quote("ACME", "99.50", "100.00")
    placed = (
        await equity.post("/v1/orders", json=order(alice, type="stop", stop_price="105.00"))
    ).json()
    await market.quote("ACME", "101.00", "101.50")
    assert (await equity.get(f"/v1/orders/{placed['id']}")).json()["status"] == "new"

    await market.quote("ACME", "105.00", "105.50")

    events = (await equity.get(f"/v1/orders/{placed['id']}/events")).json()
    assert [e["type"] for e in events] == ["accepted", "triggered", "filled"]


async def test_feed_step_is_deterministic_for_a_seed_and_on_the_tick(equity_app, market, settings):
    await market.list()
    await market.quote("ACME", "99.50", "100.00")
    engine = equity_app.state.engine

    first = await simulate_step(engine, settings, step=7)
    async with engine.begin() as connection:  # back to the same starting quote
        await connection.execute(delete(QuoteRecord))
    await market.quote("ACME", "99.50", "100.00")
    again = await simulate_step(engine, settings, step=7)

    assert [(q.bid, q.ask) for q in first] == [(q.bid, q.ask) for q in again]
    assert first[0].bid % D("0.01") == 0
    assert first[0].ask > first[0].bid
    [(channel, _)] = quote_message(first)
    assert channel == "equity.quotes.ACME"


async def test_feed_pushes_each_quote_on_the_bus(equity_app, market, settings, bus):
    import json

    from equity_service.market_data.tasks import simulate_and_publish

    await market.list()
    await market.quote("ACME", "99.50", "100.00")
    listener = bus.pubsub()
    await listener.subscribe("equity.quotes.ACME")
    await listener.get_message(timeout=1)  # the subscription confirmation

    assert await simulate_and_publish(equity_app.state.engine, settings) == 1
    message = await listener.get_message(timeout=5)

    assert message is not None
    assert json.loads(message["data"])["symbol"] == "ACME"
    await listener.aclose()
