"""Orders in SQL; every query is filtered by the caller's tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.domain.order_states import OPEN, TERMINAL
from equity_service.orders.models import Fill, Order, OrderEvent

LIVE = tuple(str(s) for s in OPEN if s != "pending_new")


async def get(
    session: AsyncSession, tenant_id: str, order_id: uuid.UUID, *, lock: bool = False
) -> Order | None:
    """The tenant's order (locked for update when asked), or None."""
    query = select(Order).where(Order.tenant_id == tenant_id, Order.id == order_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def by_client_order_id(
    session: AsyncSession, tenant_id: str, client_order_id: str
) -> Order | None:
    query = select(Order).where(
        Order.tenant_id == tenant_id, Order.client_order_id == client_order_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def page(
    session: AsyncSession, tenant_id: str, status: str, after_seq: int, limit: int
) -> Sequence[Order]:
    """`limit + 1` orders after `after_seq`, newest last: open, closed or all."""
    query = select(Order).where(Order.tenant_id == tenant_id, Order.seq > after_seq)
    if status == "open":
        query = query.where(Order.status.in_([str(s) for s in OPEN]))
    elif status == "closed":
        query = query.where(Order.status.in_([str(s) for s in TERMINAL]))
    return (await session.execute(query.order_by(Order.seq).limit(limit + 1))).scalars().all()


async def live_orders(
    session: AsyncSession, symbol: str, tenant_id: str | None = None
) -> Sequence[Order]:
    """Live orders in `symbol` (of one tenant, or all), oldest first, locked for update."""
    query = select(Order).where(Order.symbol == symbol, Order.status.in_(LIVE))
    if tenant_id is not None:
        query = query.where(Order.tenant_id == tenant_id)
    return (await session.execute(query.order_by(Order.seq).with_for_update())).scalars().all()


async def crossing_orders(
    session: AsyncSession, taker: Order, limit: Decimal | None
) -> Sequence[Order]:
    """The tenant's resting limit orders on the other side that `limit` reaches (all of them
    for a market order), locked for update; never the taker's own account's (no self-trade:
    the taker goes on to the market instead)."""
    other = "sell" if taker.side == "buy" else "buy"
    side, symbol = taker.side, taker.symbol
    query = select(Order).where(
        Order.tenant_id == taker.tenant_id,
        Order.account_id != taker.account_id,
        Order.symbol == symbol,
        Order.side == other,
        Order.status.in_(("new", "partially_filled")),
        Order.limit_price.is_not(None),
        or_(Order.type == "limit", Order.triggered.is_(True)),
    )
    if limit is not None:
        query = query.where(
            Order.limit_price <= limit if side == "buy" else Order.limit_price >= limit
        )
    return (await session.execute(query.order_by(Order.seq).with_for_update())).scalars().all()


async def events(session: AsyncSession, order_id: uuid.UUID) -> Sequence[OrderEvent]:
    query = select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.seq)
    return (await session.execute(query)).scalars().all()


async def fills(session: AsyncSession, order_id: uuid.UUID) -> Sequence[Fill]:
    query = select(Fill).where(Fill.order_id == order_id).order_by(Fill.seq)
    return (await session.execute(query)).scalars().all()
