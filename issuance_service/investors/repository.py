"""Loading investors and what they invested, always within one tenant."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from issuance_service.investments.models import COUNTED_FOR_LIMIT, Investment
from issuance_service.investors.models import Investor


async def get(
    session: AsyncSession, tenant_id: str, investor_id: uuid.UUID, *, lock: bool = False
) -> Investor | None:
    """The tenant's investor, or None."""
    query = select(Investor).where(Investor.tenant_id == tenant_id, Investor.id == investor_id)
    return await session.scalar(query.with_for_update() if lock else query)


async def by_subject(
    session: AsyncSession, tenant_id: str, subject: str, *, lock: bool = False
) -> Investor | None:
    """The investor profile of the user `subject`, or None."""
    query = select(Investor).where(Investor.tenant_id == tenant_id, Investor.subject == subject)
    return await session.scalar(query.with_for_update() if lock else query)


async def invested_since(
    session: AsyncSession, tenant_id: str, investor_id: uuid.UUID, since: datetime
) -> Decimal:
    """Σ of the investor's live and confirmed investments made since `since`, every campaign."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Investment.amount), 0)).where(
            Investment.tenant_id == tenant_id,
            Investment.investor_id == investor_id,
            Investment.status.in_(COUNTED_FOR_LIMIT),
            Investment.created_at >= since,
        )
    )
    return Decimal(total or 0)
