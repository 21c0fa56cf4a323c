"""Order use cases: place (hold, then trade), cancel, expire. Each reads top to bottom:
load, decide (domain), save, emit."""

from __future__ import annotations

import hashlib
import json
import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.books.service import LedgerBooks
from equity_service.config import Settings
from equity_service.domain.money import Fees
from equity_service.domain.order_states import IllegalTransition, Status
from equity_service.domain.quote_fills import Quote
from equity_service.instruments import repository as instruments
from equity_service.instruments.models import Instrument
from equity_service.market_data import repository as market_data
from equity_service.orders import repository
from equity_service.orders.intake import admit
from equity_service.orders.models import Order
from equity_service.orders.reservation import reserve
from equity_service.orders.schemas import OrderCreate
from equity_service.venue.broker import BrokerAdapter, PaperVenue
from equity_service.venue.service import VenueTerms
from fleetkit.problems import ProblemError, conflict, not_found


def broker_for(settings: Settings) -> BrokerAdapter:
    """Where this deployment's orders execute: the paper venue."""
    return PaperVenue(venue_terms(settings))


def venue_terms(settings: Settings) -> VenueTerms:
    return VenueTerms(Fees(settings.fee_bps), settings.slippage_bps)


def request_hash(body: OrderCreate) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def current_quote(session: AsyncSession, instrument: Instrument) -> Quote | None:
    row = await market_data.latest_quote(session, instrument.id)
    return None if row is None else Quote(row.bid, row.ask, row.bid_size, row.ask_size)


async def place_order(
    session: AsyncSession,
    books: LedgerBooks,
    settings: Settings,
    tenant_id: str,
    body: OrderCreate,
) -> tuple[Order, bool]:
    """Accept (hold in the ledger, then trade) or reject an order; (order, created)."""
    digest = request_hash(body)
    existing = await repository.by_client_order_id(session, tenant_id, body.client_order_id)
    if existing is not None:
        return _same_order(existing, digest), False
    instrument = await instruments.by_symbol(session, body.symbol)
    if instrument is None:
        raise ProblemError(422, "unknown-symbol", f"no instrument {body.symbol}")
    quote = await current_quote(session, instrument)
    cash = await books.cash_account(tenant_id, body.account_id)
    order = admit(body, instrument, quote, cash, settings, tenant_id, digest)
    session.add(order)
    try:
        # Committed before the ledger is asked: the client_order_id is claimed once, and an
        # order whose hold is in doubt is on record, never lost.
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raced = await repository.by_client_order_id(session, tenant_id, body.client_order_id)
        if raced is None:
            raise
        return _same_order(raced, digest), False
    await reserve(session, books, instrument, order, cash)
    if order.status == Status.NEW:
        await broker_for(settings).submit(session, instrument, order, quote)
    return order, True


def _same_order(order: Order, digest: str) -> Order:
    if order.request_hash != digest:
        raise conflict("client-order-id-reused", "this client_order_id was used for another order")
    return order


async def cancel_order(
    session: AsyncSession, broker: BrokerAdapter, tenant_id: str, order_id: uuid.UUID
) -> Order:
    """Cancel a live order and release what it still holds; 409 when it cannot be."""
    order = await repository.get(session, tenant_id, order_id, lock=True)
    if order is None:
        raise not_found("order")
    instrument = await instruments.by_id(session, order.instrument_id)
    assert instrument is not None
    try:
        await broker.close(session, instrument, order, Status.CANCELED, reason="user")
    except IllegalTransition as exc:
        raise conflict("order-not-cancelable", str(exc), order_status=order.status) from exc
    return order
