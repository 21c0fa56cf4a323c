"""Live updates of a portfolio as server-sent events.

Events: `valuation` (the whole valuation, at once and then every `interval` seconds) and
`price` (each quote the equity service PUBLISHes on the bus for a share the portfolio holds;
lossy by design, like the PUBLISH it relays). A comment line every 15 s keeps proxies from
closing an idle stream. Fills reach the stream through the next valuation.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from fleetkit.policy import Principal
from portfolio_service.portfolios import repository
from portfolio_service.portfolios.models import Portfolio
from portfolio_service.valuation.downstream import Fleet
from portfolio_service.valuation.service import value_portfolio

QUOTES_CHANNEL = "equity.quotes"  # where the equity service PUBLISHes its quotes
HEARTBEAT_SECONDS = 15.0


def sse(event: str, data: Any) -> bytes:
    """One server-sent event."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


async def portfolio_events(
    state: Any, fleet: Fleet, acting: Principal, portfolio: Portfolio, *,
    interval: float, max_events: int | None,
) -> AsyncIterator[bytes]:  # fmt: skip
    """The stream's bytes: valuations and prices until the client leaves or `max_events`."""
    sent = 0

    async def valuation() -> bytes:
        async with state.sessionmaker() as session, session.begin():
            holdings = await repository.holdings_of(session, [portfolio.id])
            day = datetime.now(UTC).date()
            deadline = state.settings.valuation_deadline_seconds
            valued = await value_portfolio(
                session, fleet, acting, portfolio, holdings, day, deadline
            )
        return sse("valuation", valued.model_dump(mode="json"))

    async with state.sessionmaker() as session:
        holdings = await repository.holdings_of(session, [portfolio.id])
    symbols = sorted({h.reference for h in holdings if h.kind == "equity"})
    pubsub = state.bus.pubsub()
    if symbols:
        await pubsub.subscribe(*(f"{QUOTES_CHANNEL}.{s}" for s in symbols))
    try:
        yield await valuation()
        sent += 1
        next_valuation = time.monotonic() + interval
        next_heartbeat = time.monotonic() + HEARTBEAT_SECONDS
        while max_events is None or sent < max_events:
            message = None
            if symbols:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
            else:
                await asyncio.sleep(0.5)
            now = time.monotonic()
            if message is not None and message.get("type") == "message":
                yield sse("price", json.loads(message["data"]))
                sent += 1
            elif now >= next_valuation:
                yield await valuation()
                sent += 1
                next_valuation = now + interval
            elif now >= next_heartbeat:
                yield b": keep-alive\n\n"
                next_heartbeat = now + HEARTBEAT_SECONDS
    finally:
        if symbols:
            await pubsub.unsubscribe()
        await pubsub.aclose()
