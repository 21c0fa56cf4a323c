"""Material changes: every live pledge must be reconfirmed within five business days, or it
is canceled and its hold voided (the investor's money is released)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from fleetkit.db import make_sessionmaker
from fleetkit.policy import Principal
from fleetkit.problems import conflict, not_found
from issuance_service.access import may_withdraw
from issuance_service.books.service import IssuanceBooks
from issuance_service.campaigns import repository as campaigns
from issuance_service.campaigns.events import investment_payload, publish
from issuance_service.campaigns.models import Campaign
from issuance_service.campaigns.service import move, rule_problem
from issuance_service.domain.campaign_rules import CampaignRuleBroken, reconfirmation_deadline
from issuance_service.domain.campaign_states import Command
from issuance_service.investments import repository
from issuance_service.investments.models import LIVE, Investment
from issuance_service.investors import repository as investors


async def material_change(
    session: AsyncSession, campaign: Campaign, description: str, now: datetime
) -> datetime:
    """Record a material change; every live pledge must be reconfirmed by the returned time."""
    move(campaign, Command.MATERIAL_CHANGE)
    assert campaign.deadline is not None
    try:
        reconfirm_by = reconfirmation_deadline(campaign.deadline, now)
    except CampaignRuleBroken as broken:
        raise rule_problem(broken) from broken
    campaign.material_change_at, campaign.material_change = now, description
    await session.execute(
        update(Investment)
        .where(Investment.campaign_id == campaign.id, Investment.status.in_(LIVE))
        .values(reconfirm_by=reconfirm_by)
    )
    publish(
        session,
        campaign,
        "campaign.material_change",
        description=description,
        reconfirm_by=reconfirm_by.isoformat(),
    )
    return reconfirm_by


async def reconfirm(
    session: AsyncSession,
    principal: Principal,
    tenant_id: str,
    investment_id: uuid.UUID,
    now: datetime,
) -> Investment:
    """The investor keeps their pledge after a material change (until `reconfirm_by`)."""
    investment = await repository.get(session, tenant_id, investment_id, lock=True)
    if investment is None:
        raise not_found("investment")
    investor = await investors.get(session, tenant_id, investment.investor_id)
    assert investor is not None
    may_withdraw(principal, investor.subject)
    if investment.status != "pledged" or investment.reconfirm_by is None:
        raise conflict("nothing-to-reconfirm", "the pledge has no reconfirmation pending")
    if now >= investment.reconfirm_by:
        raise conflict("reconfirmation-closed", "the reconfirmation window has closed")
    investment.reconfirm_by = None
    return investment


async def refund_unconfirmed(engine: AsyncEngine, books: IssuanceBooks, now: datetime) -> int:
    """Cancel every pledge whose reconfirmation window closed, then void its hold."""
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session:
        lapsed = list(
            (
                await session.execute(
                    select(Investment.tenant_id, Investment.campaign_id, Investment.id).where(
                        Investment.status == "pledged", Investment.reconfirm_by <= now
                    )
                )
            ).all()
        )
    voids: list[tuple[str, uuid.UUID]] = []
    for tenant_id, campaign_id, investment_id in lapsed:
        async with sessionmaker() as session, session.begin():
            campaign = await campaigns.get(session, tenant_id, campaign_id, lock=True)
            investment = await repository.get(session, tenant_id, investment_id, lock=True)
            assert campaign is not None
            assert investment is not None
            if investment.status != "pledged" or investment.reconfirm_by is None:
                continue  # reconfirmed (or closed) meanwhile
            investment.status, investment.reject_reason = "canceled", "not-reconfirmed"
            campaign.raised -= investment.amount
            publish(
                session,
                campaign,
                "investment.canceled",
                investment=investment_payload(investment),
                reason="not reconfirmed after a material change",
            )
            voids.append((tenant_id, investment.hold_id))
    for tenant_id, hold_id in voids:
        await books.void(tenant_id, hold_id)
    return len(voids)
