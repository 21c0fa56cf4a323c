"""Who holds an instrument: every user (cash account) of any tenant that ever traded it, with
the ledger's share balances (free and reserved for sell orders)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.books.accounts import user_book
from equity_service.books.service import LedgerBooks
from equity_service.orders.models import Fill, Order
from fleetkit.ledger_client import LedgerNotFound


@dataclass(frozen=True)
class Holding:
    tenant_id: str
    cash_id: uuid.UUID
    free: Decimal  # on the shares account, posted
    reserved: Decimal  # on the shares reserve account, posted
    cash_scale: int

    @property
    def total(self) -> Decimal:
        return self.free + self.reserved


async def holders(
    session: AsyncSession, books: LedgerBooks, symbol: str, as_of: datetime | None = None
) -> list[Holding]:
    """Every account with fills in `symbol` and its share balances (now, or as of a time)."""
    query = (
        select(Order.tenant_id, Order.account_id, func.max(Order.cash_scale))
        .join(Fill, Fill.order_id == Order.id)
        .where(Order.symbol == symbol)
        .group_by(Order.tenant_id, Order.account_id)
        .order_by(Order.tenant_id, Order.account_id)
    )
    found = []
    for tenant_id, cash_id, scale in (await session.execute(query)).all():
        book = user_book(tenant_id, cash_id, symbol)
        free = await _posted(books, tenant_id, book.shares.id, as_of)
        reserved = await _posted(books, tenant_id, book.shares_reserve.id, as_of)
        found.append(Holding(tenant_id, cash_id, free, reserved, scale))
    return found


async def _posted(
    books: LedgerBooks, tenant_id: str, account_id: uuid.UUID, as_of: datetime | None
) -> Decimal:
    try:
        return (await books.client.balance(tenant_id, account_id, as_of=as_of)).posted
    except LedgerNotFound:  # never opened, or not yet at `as_of`
        return Decimal(0)
