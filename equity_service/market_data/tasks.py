"""The simulated feed (beat): a seeded GBM step per active instrument, so a fresh install has
prices. Each quote is recorded (the venue fills what it reaches) and pushed on the bus."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from celery import shared_task
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from equity_service.config import Settings, get_settings
from equity_service.instruments import repository as instruments
from equity_service.market_data import repository
from equity_service.market_data.models import Bar
from equity_service.market_data.schemas import QuotePublic
from equity_service.market_data.service import quote_message, record_quote, simulated_quote
from equity_service.orders.service import venue_terms
from fleetkit.celery_app import run_use_case
from fleetkit.db import make_sessionmaker
from fleetkit.redis_clients import make_redis

FIRST_PRICE = Decimal(100)


async def simulate_step(engine: AsyncEngine, settings: Settings, step: int) -> list[QuotePublic]:
    """One feed step for every active instrument, in one transaction; returns the quotes."""
    published = []
    async with make_sessionmaker(engine)() as session, session.begin():
        for instrument in await instruments.active(session):
            latest = await repository.latest_quote(session, instrument.id)
            if latest is not None:
                mid = (latest.bid + latest.ask) / 2
            else:
                query = select(Bar.close).where(Bar.instrument_id == instrument.id)
                mid = (
                    await session.execute(query.order_by(Bar.day.desc()).limit(1))
                ).scalar_one_or_none() or FIRST_PRICE
            quote = simulated_quote(instrument, mid, settings.feed_seed, step, settings.spread_bps)
            published.append(
                await record_quote(
                    session, venue_terms(settings), instrument, quote, datetime.now(UTC)
                )
            )
    return published


async def simulate_and_publish(engine: AsyncEngine, settings: Settings) -> int:
    """The feed's step for now, recorded, then PUBLISHed on the bus (after the commit)."""
    step = int(time.time() // settings.feed_interval_seconds)
    quotes = await simulate_step(engine, settings, step)
    bus = make_redis(settings.fleet.bus_redis_url)
    try:
        for channel, message in quote_message(quotes):
            await bus.publish(channel, message)
    finally:
        await bus.aclose()
    return len(quotes)


@shared_task(name="equity.simulate_quotes", bind=True)
def simulate_quotes(self: Any) -> int:
    """Publish the next simulated quote of every active instrument."""
    return run_use_case(self, lambda engine: simulate_and_publish(engine, get_settings()))
