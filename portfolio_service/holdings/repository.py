"""Reading the holdings read model."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portfolio_service.holdings.models import AccountPosition
from portfolio_service.portfolios.models import Holding


async def current_quantities(
    session: AsyncSession, tenant_id: uuid.UUID, holdings: list[Holding]
) -> dict[uuid.UUID, Decimal]:
    """Holding id → posted quantity now, for the ledger holdings the read model knows (an
    account it has seen postings of, and whose normal side was recorded with the holding)."""
    sides = {
        h.ledger_account_id: (h.id, h.detail["normal_side"])
        for h in holdings
        if h.ledger_account_id is not None and "normal_side" in (h.detail or {})
    }
    if not sides:
        return {}
    rows = await session.execute(
        select(AccountPosition).where(
            AccountPosition.tenant_id == str(tenant_id),
            AccountPosition.account_id.in_(list(sides)),
        )
    )
    known = {}
    for position in rows.scalars():
        holding_id, side = sides[position.account_id]
        known[holding_id] = position.posted(side)
    return known
