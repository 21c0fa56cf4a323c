"""Instruments in SQL (reference data: no tenant filter)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.instruments.models import Instrument


async def by_symbol(session: AsyncSession, symbol: str) -> Instrument | None:
    query = select(Instrument).where(Instrument.symbol == symbol)
    return (await session.execute(query)).scalar_one_or_none()


async def by_id(session: AsyncSession, instrument_id: uuid.UUID) -> Instrument | None:
    return await session.get(Instrument, instrument_id)


async def page(session: AsyncSession, after_symbol: str, limit: int) -> Sequence[Instrument]:
    """`limit + 1` instruments after `after_symbol`, by symbol."""
    query = select(Instrument).where(Instrument.symbol > after_symbol)
    return (
        (await session.execute(query.order_by(Instrument.symbol).limit(limit + 1))).scalars().all()
    )


async def active(session: AsyncSession) -> Sequence[Instrument]:
    query = select(Instrument).where(Instrument.status == "active").order_by(Instrument.symbol)
    return (await session.execute(query)).scalars().all()
