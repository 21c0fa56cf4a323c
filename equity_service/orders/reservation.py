"""Reserving an order's cash or shares in the ledger: the step between `pending_new` and
`new` (or `rejected`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.books.service import LedgerBooks, hold_id_of
from equity_service.domain.order_states import Status, transition
from equity_service.instruments.models import Instrument
from equity_service.orders.events import record
from equity_service.orders.models import Order
from equity_service.settlement.models import LedgerInstruction
from equity_service.venue.fills import release_id
from fleetkit.http_client import DownstreamError
from fleetkit.ledger_client import LedgerAccount, LedgerRefusal


async def reserve(
    session: AsyncSession,
    books: LedgerBooks,
    instrument: Instrument,
    order: Order,
    cash: LedgerAccount,
) -> None:
    """Hold the order's cash or shares: accepted (`new`) when the ledger agrees, else
    rejected with the ledger's reason."""
    try:
        book = await books.open_book(
            order.tenant_id, cash, instrument.symbol, instrument.ledger_asset
        )
        source, reserve = (
            (book.cash_id, book.cash_reserve.id)
            if order.side == "buy"
            else (book.shares.id, book.shares_reserve.id)
        )
        order.hold_id = await books.place_hold(
            order.tenant_id, order.id, source, reserve, order.reserved
        )
    except LedgerRefusal as refusal:
        order.status = transition(order.status_enum, Status.REJECTED)
        order.reject_reason = refusal.kind
        record(session, order, "rejected", reason=refusal.kind)
        return
    except DownstreamError:
        # The hold may or may not be in place: record the rejection and void it (idempotent).
        order.status = transition(order.status_enum, Status.REJECTED)
        order.reject_reason = "ledger-unavailable"
        order.hold_id = None
        record(session, order, "rejected", reason="ledger-unavailable")
        session.add(
            LedgerInstruction(
                id=release_id(order.id),
                tenant_id=order.tenant_id,
                order_id=order.id,
                kind="release",
                body={"void": str(hold_id_of(order.id))},
            )
        )
        return
    order.status = transition(order.status_enum, Status.NEW)
    record(session, order, "accepted", reserved=format(order.reserved, "f"))
