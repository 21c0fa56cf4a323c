"""Quotes and bars in SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.market_data.models import Bar, QuoteRecord


async def latest_quote(session: AsyncSession, instrument_id: uuid.UUID) -> QuoteRecord | None:
    return await session.get(QuoteRecord, instrument_id)


async def save_quote(session: AsyncSession, quote: QuoteRecord) -> None:
    """Replace the instrument's latest quote."""
    values = {
        c: getattr(quote, c)
        for c in ("instrument_id", "bid", "ask", "bid_size", "ask_size", "as_of")
    }
    statement = insert(QuoteRecord).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["instrument_id"],
            set_={k: v for k, v in values.items() if k != "instrument_id"},
        )
    )


async def save_bars(session: AsyncSession, bars: Sequence[dict[str, object]]) -> None:
    """Insert or replace bars (the same instrument and day is the same bar)."""
    if not bars:
        return
    statement = insert(Bar).values(list(bars))
    columns = ("open", "high", "low", "close", "volume")
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["instrument_id", "day"],
            set_={c: statement.excluded[c] for c in columns},
        )
    )


async def bars_between(
    session: AsyncSession,
    instrument_id: uuid.UUID,
    start: date | None,
    end: date | None,
    after: date | None,
    limit: int,
) -> Sequence[Bar]:
    """`limit + 1` bars in [start, end], oldest first, after the cursor's day."""
    query = select(Bar).where(Bar.instrument_id == instrument_id)
    if start is not None:
        query = query.where(Bar.day >= start)
    if end is not None:
        query = query.where(Bar.day <= end)
    if after is not None:
        query = query.where(Bar.day > after)
    return (await session.execute(query.order_by(Bar.day).limit(limit + 1))).scalars().all()
