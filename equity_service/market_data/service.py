"""Market data use cases: record a quote (and let the venue react), import bars, simulate."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.domain.prices import gbm_path, quote_around
from equity_service.domain.quote_fills import Quote
from equity_service.instruments import repository as instruments
from equity_service.instruments.models import Instrument
from equity_service.market_data import repository
from equity_service.market_data.csv_import import parse_bars
from equity_service.market_data.models import QuoteRecord
from equity_service.market_data.schemas import QuotePublic
from equity_service.venue.service import VenueTerms, on_quote
from fleetkit.problems import ProblemError

QUOTES_CHANNEL = "equity.quotes"
SIMULATED_SIZE = Decimal(100)


def quote_public(instrument: Instrument, record: QuoteRecord) -> QuotePublic:
    return QuotePublic(
        symbol=instrument.symbol,
        bid=record.bid,
        ask=record.ask,
        bid_size=record.bid_size,
        ask_size=record.ask_size,
        as_of=record.as_of,
    )


async def record_quote(
    session: AsyncSession,
    terms: VenueTerms,
    instrument: Instrument,
    quote: Quote,
    as_of: datetime,
) -> QuotePublic:
    """Make `quote` the instrument's latest and fill the live orders it reaches."""
    if quote.bid <= 0 or quote.ask < quote.bid or min(quote.bid_size, quote.ask_size) < 0:
        raise ProblemError(422, "invalid-quote", "a quote needs 0 < bid <= ask, sizes >= 0")
    record = QuoteRecord(
        instrument_id=instrument.id,
        bid=quote.bid,
        ask=quote.ask,
        bid_size=quote.bid_size,
        ask_size=quote.ask_size,
        as_of=as_of,
    )
    await repository.save_quote(session, record)
    await on_quote(session, terms, instrument, quote)
    return quote_public(instrument, record)


async def import_bars(session: AsyncSession, text: str) -> int:
    """Write every bar of the CSV, or none: a 422 problem lists each refused row."""
    ticks = {i.symbol: i.tick_size for i in await instruments.active(session)}
    ids = {i.symbol: i.id for i in await instruments.active(session)}
    rows, errors = parse_bars(text, ticks)
    if errors:
        raise ProblemError(
            422,
            "invalid-csv",
            f"{len(errors)} rows refused; nothing imported",
            errors=[{"line": line, "message": m} for line, m in errors],
        )
    await repository.save_bars(
        session,
        [
            {
                "instrument_id": ids[r.symbol],
                "day": r.day,
                "open": r.open,
                "high": r.high,
                "low": r.low,
                "close": r.close,
                "volume": r.volume,
            }
            for r in rows
        ],
    )
    return len(rows)


def simulated_quote(
    instrument: Instrument, mid: Decimal, seed: int, step: int, spread_bps: Decimal
) -> Quote:
    """The feed's next quote: one GBM step from `mid`, seeded by (seed, symbol, step) so a
    replay of the same step gives the same price."""
    [price] = gbm_path(
        mid, instrument.tick_size, seed=hash_seed(seed, instrument.symbol, step), steps=1
    )
    bid, ask = quote_around(price, instrument.tick_size, spread_bps)
    return Quote(bid, ask, SIMULATED_SIZE, SIMULATED_SIZE)


def hash_seed(seed: int, symbol: str, step: int) -> int:
    """A stable integer seed (Python's `hash` of a str changes between processes)."""
    return int.from_bytes(f"{seed}:{symbol}:{step}".encode(), "big") % (2**63)


def quote_message(quotes: Sequence[QuotePublic]) -> list[tuple[str, str]]:
    """(channel, JSON) pairs to PUBLISH on the bus: lossy live pushes, one per quote."""
    messages: list[tuple[str, str]] = []
    for quote in quotes:
        body: dict[str, Any] = quote.model_dump(mode="json")
        messages.append((f"{QUOTES_CHANNEL}.{quote.symbol}", json.dumps(body)))
    return messages
