"""Loading campaigns, always within one tenant (the closer alone reads across tenants)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from issuance_service.campaigns.models import Campaign
from issuance_service.domain.campaign_states import Status
from issuance_service.investments.models import LIVE, Investment


async def get(
    session: AsyncSession, tenant_id: str, campaign_id: uuid.UUID, *, lock: bool = False
) -> Campaign | None:
    """The tenant's campaign, or None; `lock` takes its row lock (pledges serialise on it)."""
    query = select(Campaign).where(Campaign.tenant_id == tenant_id, Campaign.id == campaign_id)
    return await session.scalar(query.with_for_update() if lock else query)


async def pledge_counts(session: AsyncSession, campaign_id: uuid.UUID) -> tuple[int, int]:
    """(live pledges, distinct investors) of the campaign."""
    row = (
        await session.execute(
            select(func.count(), func.count(func.distinct(Investment.investor_id))).where(
                Investment.campaign_id == campaign_id, Investment.status.in_(LIVE)
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def due_ids(session: AsyncSession, now: datetime) -> list[tuple[str, uuid.UUID]]:
    """(tenant, id) of every live campaign whose deadline has come, and of every closed one
    whose ledger steps are not all done yet (a close interrupted by a crash)."""
    due = select(Campaign.tenant_id, Campaign.id).where(
        Campaign.status == Status.ACTIVE.value, Campaign.deadline <= now
    )
    unsettled = select(Campaign.tenant_id, Campaign.id).where(
        Campaign.closed_at.is_not(None), Campaign.settled_at.is_(None)
    )
    rows = (await session.execute(due.union(unsettled))).all()
    return [(row[0], row[1]) for row in rows]
