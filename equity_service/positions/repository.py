"""A user's trading history in one instrument: fills and the splits after them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.corporate_actions.models import CorporateAction
from equity_service.domain.lots import Split, Trade
from equity_service.orders.models import Fill, Order


async def traded_symbols(session: AsyncSession, tenant_id: str, account_id: uuid.UUID) -> list[str]:
    query = (
        select(Order.symbol)
        .join(Fill, Fill.order_id == Order.id)
        .where(Order.tenant_id == tenant_id, Order.account_id == account_id)
        .distinct()
        .order_by(Order.symbol)
    )
    return list((await session.execute(query)).scalars())


async def history(
    session: AsyncSession, tenant_id: str, account_id: uuid.UUID, symbol: str
) -> Sequence[Trade | Split]:
    """Fills and splits in time order (a split applies to what was held before it)."""
    fills = await session.execute(
        select(Fill.at, Order.side, Fill.qty, Fill.cash, Fill.fee, Order.instrument_id)
        .join(Order, Order.id == Fill.order_id)
        .where(Order.tenant_id == tenant_id, Order.account_id == account_id, Order.symbol == symbol)
        .order_by(Fill.seq)
    )
    rows = fills.all()
    if not rows:
        return []
    events: list[tuple[object, int, Trade | Split]] = [
        (at, 1, Trade(side, qty, cash, fee)) for at, side, qty, cash, fee, _ in rows
    ]
    splits = await session.execute(
        select(
            CorporateAction.applied_at, CorporateAction.ratio_to, CorporateAction.ratio_from
        ).where(CorporateAction.instrument_id == rows[0][5], CorporateAction.kind == "split")
    )
    events += [(at, 0, Split(to, frm)) for at, to, frm in splits.all() if to and frm]
    return [event for _, _, event in sorted(events, key=lambda e: (e[0], e[1]))]
