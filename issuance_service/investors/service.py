"""Investor use cases: the 12-month Reg CF limit across campaigns."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from issuance_service.domain.reg_cf import Limit, twelve_month_limit
from issuance_service.investors import repository
from issuance_service.investors.models import Investor

WINDOW = timedelta(days=365)


async def limits_of(session: AsyncSession, investor: Investor, now: datetime) -> Limit:
    """The investor's limit and what the last 12 months (every campaign) used of it."""
    used = await repository.invested_since(session, investor.tenant_id, investor.id, now - WINDOW)
    return twelve_month_limit(
        accredited=investor.accredited,
        annual_income=investor.annual_income,
        net_worth=investor.net_worth,
        invested_12m=used,
    )
