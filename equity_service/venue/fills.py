"""Recording fills: the order's totals, the fill row, its events and its ledger settlement.

Everything here is written in the caller's transaction, so a fill and the instruction that
settles it commit together; the worker posts the instruction to the ledger afterwards.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.books.accounts import user_book
from equity_service.books.settlement_lines import Leg, lines_json, settlement_lines
from equity_service.domain.money import Fees, fill_cash, traded_value
from equity_service.domain.order_states import after_fill
from equity_service.instruments.models import Instrument
from equity_service.orders.events import record
from equity_service.orders.models import Fill, Order
from equity_service.settlement.models import LedgerInstruction
from fleetkit.ledger_client import LedgerLine

SETTLEMENT_NAMESPACE = uuid.UUID("0193a1b2-0002-7000-8000-736574746c65")


def settlement_id(fill_id: uuid.UUID) -> uuid.UUID:
    """The ledger transaction that settles a fill (the same fill, the same id)."""
    return uuid.uuid5(SETTLEMENT_NAMESPACE, f"{fill_id}:settle")


def release_id(order_id: uuid.UUID) -> uuid.UUID:
    """The ledger transaction that returns what an order did not use of its reservation."""
    return uuid.uuid5(SETTLEMENT_NAMESPACE, f"{order_id}:release")


def cash_asset(instrument: Instrument, order: Order) -> str:
    return f"{instrument.currency}/{order.cash_scale}"


def apply_fill(
    session: AsyncSession,
    order: Order,
    qty: Decimal,
    price: Decimal,
    fees: Fees,
    fill_id: uuid.UUID,
    counter: Order | None = None,
) -> Leg:
    """Add one fill to `order` (status, totals, history); returns its settlement leg."""
    before, after = order.filled_value, traded_value(qty, price, order.filled_value)
    cash = fill_cash(before, after, fees, order.cash_scale)
    order.filled_qty += qty
    order.filled_value = after
    order.hold_posted = True
    order.used += cash.cash + cash.fee if order.side == "buy" else qty
    order.status = after_fill(order.status_enum, order.filled_qty, order.qty)
    session.add(
        Fill(
            id=uuid.uuid5(fill_id, str(order.id)),
            tenant_id=order.tenant_id,
            order_id=order.id,
            counter_order_id=None if counter is None else counter.id,
            qty=qty,
            price=price,
            cash=cash.cash,
            fee=cash.fee,
        )
    )
    fill = {
        "fill_id": str(fill_id),
        "qty": format(qty, "f"),
        "price": format(price, "f"),
        "cash": format(cash.cash, "f"),
        "fee": format(cash.fee, "f"),
    }
    record(session, order, "filled", fill=fill)
    return Leg(
        order.tenant_id, order.account_id, order.symbol, order.side, qty, cash.cash, cash.fee
    )


def settle(
    session: AsyncSession, instrument: Instrument, fill_id: uuid.UUID, legs: list[tuple[Order, Leg]]
) -> None:
    """Queue the fill's one DvP transaction (and the posting of the holds it draws on)."""
    first = legs[0][0]
    lines = settlement_lines(
        [leg for _, leg in legs], cash_asset(instrument, first), instrument.ledger_asset
    )
    body = {
        "post_holds": [str(order.hold_id) for order, _ in legs],
        "lines": lines_json(lines),
        "metadata": {"fill_id": str(fill_id), "orders": [str(o.id) for o, _ in legs]},
    }
    session.add(
        LedgerInstruction(
            id=settlement_id(fill_id),
            tenant_id=first.tenant_id,
            order_id=first.id,
            kind="settle",
            body=body,
        )
    )


def release(session: AsyncSession, instrument: Instrument, order: Order) -> None:
    """Queue the return of what the order did not use: a void before any fill, else a
    transfer of the rest of the posted reserve back where it came from."""
    if order.hold_id is None:
        return
    left = order.reserved - order.used
    if not order.hold_posted:
        body: dict[str, object] = {"void": str(order.hold_id)}
    elif left > 0:
        book = user_book(order.tenant_id, order.account_id, order.symbol)
        source, reserve = (
            (book.cash_id, book.cash_reserve.id)
            if order.side == "buy"
            else (book.shares.id, book.shares_reserve.id)
        )
        lines = [LedgerLine(reserve, "debit", left), LedgerLine(source, "credit", left)]
        body = {
            "post_holds": [str(order.hold_id)],
            "lines": lines_json(lines),
            "metadata": {"order_id": str(order.id), "release": True},
        }
    else:
        return
    session.add(
        LedgerInstruction(
            id=release_id(order.id),
            tenant_id=order.tenant_id,
            order_id=order.id,
            kind="release",
            body=body,
        )
    )
