"""Loading investments, always within one tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from issuance_service.investments.models import Investment


async def get(
    session: AsyncSession, tenant_id: str, investment_id: uuid.UUID, *, lock: bool = False
) -> Investment | None:
    """The tenant's investment, or None."""
    query = select(Investment).where(
        Investment.tenant_id == tenant_id, Investment.id == investment_id
    )
    return await session.scalar(query.with_for_update() if lock else query)


async def of_campaign(
    session: AsyncSession, campaign_id: uuid.UUID, statuses: Sequence[str] | None = None
) -> list[Investment]:
    """The campaign's investments (optionally in some statuses), in arrival order."""
    query = select(Investment).where(Investment.campaign_id == campaign_id)
    if statuses is not None:
        query = query.where(Investment.status.in_(statuses))
    return list(await session.scalars(query.order_by(Investment.seq)))
