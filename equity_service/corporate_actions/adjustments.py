"""What a split changes: the ledger lines that scale holdings, and an open order's terms;
and when holders of a dividend are counted."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.books.accounts import user_book, venue_account
from equity_service.corporate_actions.holders import Holding
from equity_service.domain.splits import Ratio
from equity_service.orders.events import record
from equity_service.orders.models import Order
from fleetkit.ledger_client import LedgerLine


def _line(account_id: uuid.UUID, signed: Decimal) -> LedgerLine:
    return LedgerLine(account_id, "credit" if signed > 0 else "debit", abs(signed))


def split_lines(
    tenant_id: str,
    symbol: str,
    asset: str,
    ratio: Ratio,
    held: list[Holding],
    pending_sells: dict[uuid.UUID, Decimal],
) -> list[LedgerLine]:
    """One tenant's split: every holding's accounts move by `balance x (ratio - 1)`, the
    street's account balances them."""
    lines, total = [], Decimal(0)
    for holding in held:
        # Sells not yet filled still hold their shares pending on the free account; the
        # instruction posts those holds first, so the shares are scaled in the reserve.
        pending = pending_sells.get(holding.cash_id, Decimal(0))
        book = user_book(tenant_id, holding.cash_id, symbol)
        for account_id, balance in (
            (book.shares.id, holding.free - pending),
            (book.shares_reserve.id, holding.reserved + pending),
        ):
            delta = ratio.shares(balance) - balance
            if delta:
                lines.append(_line(account_id, delta))
                total += delta
    if total:
        lines.append(_line(venue_account(tenant_id, asset).id, -total))
    return lines


def split_order(session: AsyncSession, order: Order, ratio: Ratio, tick: Decimal) -> None:
    """Scale an open order: quantities exactly, prices the other way on the tick."""
    if order.side == "sell":
        order.reserved, order.used = ratio.shares(order.reserved), ratio.shares(order.used)
        order.hold_posted = order.hold_posted or order.hold_id is not None
    order.qty, order.filled_qty = ratio.shares(order.qty), ratio.shares(order.filled_qty)
    if order.limit_price is not None:
        order.limit_price = ratio.price(order.limit_price, tick, order.side)
    if order.stop_price is not None:
        order.stop_price = ratio.price(order.stop_price, tick, order.side)
    record(session, order, "split", ratio=f"{ratio.to}:{ratio.frm}")


def record_date_end(day: date) -> datetime:
    """Holders of record are those at the end of the record date (UTC)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
