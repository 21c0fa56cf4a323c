"""The holdings read model fed by a REAL Redis stream: the real ledger's outbox relayed to the
shared bus, consumed by the gateway's consumer group into its own database."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select

from fleetkit.db import make_sessionmaker
from fleetkit.events.consumer import ConsumerOptions, EventConsumer
from fleetkit.events.envelope import stream_of
from fleetkit.events.relay import OutboxRelay
from portfolio_service.bus import SUBSCRIPTIONS
from portfolio_service.holdings.models import AccountPosition


async def relay_and_consume(ledger_app, committed, bus) -> EventConsumer:
    """Move the ledger's outbox to its stream and let the gateway's group read all of it."""
    relay = OutboxRelay("ledger", make_sessionmaker(ledger_app.state.engine), bus)
    while await relay.relay_batch():
        pass
    consumer = EventConsumer(
        "portfolio", make_sessionmaker(committed), bus, SUBSCRIPTIONS,
        ConsumerOptions(block_ms=10, consumer_name="test-gateway"),
    )  # fmt: skip
    await consumer.ensure_groups()
    while await consumer.consume_once(block_ms=10):
        pass
    return consumer


async def positions(committed) -> dict[str, tuple[Decimal, Decimal, int]]:
    async with make_sessionmaker(committed)() as session:
        rows = (await session.execute(select(AccountPosition))).scalars()
        return {str(r.account_id): (r.debits_posted, r.credits_posted, r.postings) for r in rows}


async def test_ledger_events_in_give_holdings_and_redelivery_changes_nothing(
    gateway, people, books, market, ledger_app, committed, bus
):
    await market.list("ACME")
    await market.quote("ACME", "99", "101")
    await people.register("rm@example.com", tenant_name="Read model")
    h = await people.headers("rm@example.com")
    cash = await books.account(h, "rm/cash", "USD/2")
    shares = await books.account(h, "rm/ACME", "ACME/9")
    other = await books.account(h, "rm/spare", "USD/2")
    await books.deposit(h, cash, "1000.00")
    await books.deposit(h, shares, "10")
    moved = await gateway.post("/api/v1/ledger/transactions", json={
        "id": str(uuid.uuid4()), "lines": [
            {"account_id": cash, "side": "debit", "amount": "250.00"},
            {"account_id": other, "side": "credit", "amount": "250.00"}]},
        headers={**h, "Idempotency-Key": "move-1"})  # fmt: skip
    assert moved.status_code == 201, moved.text
    pid = (await gateway.post("/api/v1/portfolios", json={"name": "p", "holdings": [
        {"kind": "cash", "ledger_account_id": cash},
        {"kind": "equity", "ledger_account_id": shares}]}, headers=h)).json()["id"]  # fmt: skip

    await relay_and_consume(ledger_app, committed, bus)
    first = await positions(committed)
    holdings = (await gateway.get(f"/api/v1/portfolios/{pid}/holdings", headers=h)).json()

    assert first[cash] == (Decimal("250.00"), Decimal("1000.00"), 2)
    assert first[shares][1:] == (Decimal("10"), 1)
    assert first[other][1] == Decimal("250.00")
    by_kind = {line["kind"]: line for line in holdings}
    assert (by_kind["cash"]["quantity"], by_kind["cash"]["quantity_source"]) == (
        "750", "read_model")  # fmt: skip
    assert (by_kind["equity"]["quantity"], by_kind["equity"]["quantity_source"]) == (
        "10", "read_model")  # fmt: skip
    assert Decimal(by_kind["equity"]["value"]) == Decimal("1000")

    # Redelivery: every event of the stream is added again (same ids), then consumed.
    stream = stream_of("ledger")
    for _, fields in await bus.xrange(stream):
        await bus.xadd(stream, fields)
    await relay_and_consume(ledger_app, committed, bus)

    assert await positions(committed) == first


async def test_a_past_day_and_an_account_the_model_has_not_seen_read_the_ledger(
    gateway, people, books, ledger_app, committed, bus
):
    await people.register("lg@example.com", tenant_name="Ledger first")
    h = await people.headers("lg@example.com")
    cash = await books.account(h, "lg/cash", "USD/2")
    await books.deposit(h, cash, "40.00")
    pid = (await gateway.post("/api/v1/portfolios", json={"name": "p", "holdings": [
        {"kind": "cash", "ledger_account_id": cash}]}, headers=h)).json()["id"]  # fmt: skip

    unseen = (await gateway.get(f"/api/v1/portfolios/{pid}/holdings", headers=h)).json()
    await relay_and_consume(ledger_app, committed, bus)
    past = (await gateway.get(f"/api/v1/portfolios/{pid}/holdings",
                              params={"as_of": "2020-01-01"}, headers=h)).json()  # fmt: skip

    assert (unseen[0]["quantity"], unseen[0]["quantity_source"]) == ("40", "ledger")
    assert (past[0]["quantity"], past[0]["quantity_source"]) == ("0", "ledger")
