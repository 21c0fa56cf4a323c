"""The paper venue: an incoming order crosses the tenant's book first (price-time), then the
market's quote; resting orders trigger and fill as quotes move.

Matching of one tenant and symbol is serialised by a transaction-scoped advisory lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.domain.matching import OrderBook, QtyCap, Resting, Taker
from equity_service.domain.money import Fees, affordable_qty, fill_cash, traded_value
from equity_service.domain.order_states import Status, transition
from equity_service.domain.quote_fills import Quote, displayed_size, quote_price, stop_triggered
from equity_service.instruments.models import Instrument
from equity_service.orders import repository
from equity_service.orders.events import record
from equity_service.orders.models import Order
from equity_service.venue.fills import apply_fill, release, settle
from fleetkit.ids import new_id


@dataclass(frozen=True)
class VenueTerms:
    fees: Fees
    slippage_bps: Decimal


def effective_limit(order: Order) -> Decimal | None:
    """The price limit the order trades with now (None: at market)."""
    return order.limit_price if order.type in ("limit", "stop_limit") else None


def cap_for(order: Order, instrument: Instrument, fees: Fees) -> QtyCap:
    """The most `order` may take at a price once `spent` more value is matched in this
    round: for a buy, what its reservation still pays for."""

    def cap(price: Decimal, wanted: Decimal, spent: Decimal) -> Decimal:
        if order.side == "sell":
            return wanted
        before = order.filled_value
        pending = fill_cash(before, before + spent, fees, order.cash_scale)
        budget = order.reserved - order.used - pending.cash - pending.fee
        most = affordable_qty(
            budget, before + spent, price, fees, order.cash_scale, instrument.qty_step
        )
        return min(wanted, most)

    return cap


async def lock_book(session: AsyncSession, tenant_id: str, symbol: str) -> None:
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"{tenant_id}:{symbol}"}
    )


async def match_incoming(
    session: AsyncSession,
    terms: VenueTerms,
    instrument: Instrument,
    order: Order,
    quote: Quote | None,
) -> None:
    """Trade a just-accepted order as far as it goes; ioc / fok cancel what is left."""
    await lock_book(session, order.tenant_id, order.symbol)
    if order.type in ("stop", "stop_limit") and not order.triggered:
        if quote is None or order.stop_price is None:
            return
        if not stop_triggered(order.side, order.stop_price, quote):
            return
        order.triggered = True
        record(session, order, "triggered", stop_price=format(order.stop_price, "f"))
    others = await repository.crossing_orders(session, order, effective_limit(order))
    by_id = {o.id: o for o in others}
    book = OrderBook.of(
        Resting(
            o.id,
            "buy" if o.side == "buy" else "sell",
            o.limit_price or Decimal(0),
            o.remaining,
            o.seq,
        )
        for o in others
    )
    cap = cap_for(order, instrument, terms.fees)
    side = "buy" if order.side == "buy" else "sell"
    matches = book.submit(Taker(order.id, side, effective_limit(order), order.remaining), cap)  # type: ignore[arg-type]
    left = order.remaining - sum((m.qty for m in matches), Decimal(0))
    spent = sum((traded_value(m.qty, m.price) for m in matches), Decimal(0))
    quote_fill: tuple[Decimal, Decimal] | None = None
    if left > 0 and quote is not None:
        price = quote_price(
            order.side, effective_limit(order), quote, instrument.tick_size, terms.slippage_bps
        )
        if price is not None:
            qty = min(left, displayed_size(order.side, quote), cap(price, left, spent))
            if qty > 0:
                quote_fill = (qty, price)
                left -= qty
    if order.time_in_force == "fok" and left > 0:
        await close_order(session, instrument, order, Status.CANCELED, reason="fok-not-filled")
        return
    for match in matches:
        resting = by_id[match.resting_id]
        trade_id = new_id()
        legs = [
            (
                order,
                apply_fill(session, order, match.qty, match.price, terms.fees, trade_id, resting),
            ),
            (
                resting,
                apply_fill(session, resting, match.qty, match.price, terms.fees, trade_id, order),
            ),
        ]
        settle(session, instrument, trade_id, legs)
    if quote_fill is not None:
        trade_id = new_id()
        leg = apply_fill(session, order, quote_fill[0], quote_fill[1], terms.fees, trade_id)
        settle(session, instrument, trade_id, [(order, leg)])
    for touched in [order, *(by_id[m.resting_id] for m in matches)]:
        if touched.status == Status.FILLED:
            release(session, instrument, touched)
    if order.time_in_force in ("ioc", "fok") and order.status != Status.FILLED:
        await close_order(session, instrument, order, Status.CANCELED, reason="ioc-remainder")


async def close_order(
    session: AsyncSession, instrument: Instrument, order: Order, status: Status, **detail: str
) -> None:
    """Cancel or expire `order` (409 via IllegalTransition when not allowed) and release
    what it still holds."""
    order.status = transition(order.status_enum, status)
    release(session, instrument, order)
    record(session, order, str(status), **detail)


async def on_quote(
    session: AsyncSession, terms: VenueTerms, instrument: Instrument, quote: Quote
) -> int:
    """Trigger stops and fill marketable live orders of every tenant against a new quote,
    oldest first, each quote filling at most its displayed size per side; returns fills."""
    sizes = {"buy": quote.ask_size, "sell": quote.bid_size}
    fills = 0
    for order in await repository.live_orders(session, instrument.symbol):
        if order.status == Status.PENDING_CANCEL:
            continue
        if order.type in ("stop", "stop_limit") and not order.triggered:
            if order.stop_price is None or not stop_triggered(order.side, order.stop_price, quote):
                continue
            order.triggered = True
            record(session, order, "triggered", stop_price=format(order.stop_price, "f"))
        price = quote_price(
            order.side, effective_limit(order), quote, instrument.tick_size, terms.slippage_bps
        )
        if price is None or sizes[order.side] <= 0:
            continue
        cap = cap_for(order, instrument, terms.fees)
        qty = min(order.remaining, sizes[order.side], cap(price, order.remaining, Decimal(0)))
        if qty <= 0:
            continue
        sizes[order.side] -= qty
        trade_id = new_id()
        settle(
            session,
            instrument,
            trade_id,
            [(order, apply_fill(session, order, qty, price, terms.fees, trade_id))],
        )
        if order.status == Status.FILLED:
            release(session, instrument, order)
        fills += 1
    return fills
