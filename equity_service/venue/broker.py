"""Where orders execute: the broker adapter the order use cases talk to.

The paper venue (`venue/service.py`) is the only adapter. A real broker would implement the
same three calls: take an accepted order, react to market data, and close an order; fills it
reports later come back through the same `apply_fill` / `settle` path, so holds, settlement and
releases do not change.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.domain.order_states import Status
from equity_service.domain.quote_fills import Quote
from equity_service.instruments.models import Instrument
from equity_service.orders.models import Order
from equity_service.venue import service
from equity_service.venue.service import VenueTerms


class BrokerAdapter(Protocol):
    async def submit(
        self, session: AsyncSession, instrument: Instrument, order: Order, quote: Quote | None
    ) -> None:
        """Take an accepted (`new`) order: trade what can trade now, leave the rest working."""

    async def on_quote(self, session: AsyncSession, instrument: Instrument, quote: Quote) -> int:
        """React to a new quote; returns the number of fills."""

    async def close(
        self,
        session: AsyncSession,
        instrument: Instrument,
        order: Order,
        status: Status,
        reason: str,
    ) -> None:
        """Cancel or expire a working order (IllegalTransition when it is closed)."""


class PaperVenue:
    """The built-in venue: internal crossing, then fills against the quote."""

    def __init__(self, terms: VenueTerms) -> None:
        self.terms = terms

    async def submit(
        self, session: AsyncSession, instrument: Instrument, order: Order, quote: Quote | None
    ) -> None:
        await service.match_incoming(session, self.terms, instrument, order, quote)

    async def on_quote(self, session: AsyncSession, instrument: Instrument, quote: Quote) -> int:
        return await service.on_quote(session, self.terms, instrument, quote)

    async def close(
        self,
        session: AsyncSession,
        instrument: Instrument,
        order: Order,
        status: Status,
        reason: str,
    ) -> None:
        await service.close_order(session, instrument, order, status, reason=reason)
