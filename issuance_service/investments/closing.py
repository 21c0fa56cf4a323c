"""Closing a campaign at its deadline and settling its escrow, exactly once in effect.

Step 1 (one transaction, under the campaign's row lock): decide the outcome (successful when
min_target is reached, else failed), stamp `closed_at`, take any pledge whose hold is still
being placed as rejected, publish the outcome.
Step 2 (settlement, under the row lock taken with SKIP LOCKED so two workers never settle the
same campaign at once): on success post every pledged hold into escrow, credit each investor
the certificate units and write the certificate's chain intent, release escrow to the issuer
minus the platform fee; on failure or cancellation void every hold. Then every other hold of
the campaign (canceled, rejected) is voided again, and `settled_at` is stamped. Every ledger
step has a deterministic id, so a run killed half-way is simply run again by the next beat and
moves nothing twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from fleetkit.db import make_sessionmaker
from issuance_service.books.service import IssuanceBooks
from issuance_service.campaigns import repository as campaigns
from issuance_service.campaigns.events import publish
from issuance_service.campaigns.models import Campaign
from issuance_service.campaigns.service import move
from issuance_service.chain.intents import enqueue_certificate
from issuance_service.domain.campaign_rules import is_due, outcome_command_succeeds
from issuance_service.domain.campaign_states import Command, Status
from issuance_service.domain.settlement import release_of
from issuance_service.investments import repository
from issuance_service.investments.reconfirmation import refund_unconfirmed
from issuance_service.investors.models import Investor
from issuance_service.issuers import repository as issuers


async def close_due(engine: AsyncEngine, books: IssuanceBooks, now: datetime) -> int:
    """Close every live campaign past its deadline and settle every closed one not settled
    yet; returns how many were settled by this run."""
    # Pledges not reconfirmed after a material change are refunded first: they never count.
    await refund_unconfirmed(engine, books, now)
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session:
        due = await campaigns.due_ids(session, now)
    settled = 0
    for tenant_id, campaign_id in due:
        async with sessionmaker() as session, session.begin():
            await decide_outcome(session, tenant_id, campaign_id, now)
        async with sessionmaker() as session, session.begin():
            settled += await settle(session, books, campaign_id, now)
    return settled


async def decide_outcome(
    session: AsyncSession, tenant_id: str, campaign_id: uuid.UUID, now: datetime
) -> None:
    """Successful or failed, once: a campaign already closed is left as it is."""
    campaign = await campaigns.get(session, tenant_id, campaign_id, lock=True)
    if campaign is None or campaign.status != Status.ACTIVE:
        return
    assert campaign.deadline is not None
    if not is_due(campaign.deadline, now):
        return
    for late in await repository.of_campaign(session, campaign.id, ["pending"]):
        late.status, late.reject_reason = "rejected", "campaign-closed"
        campaign.raised -= late.amount
    succeeded = outcome_command_succeeds(campaign.raised, campaign.targets)
    move(campaign, Command.SUCCEED if succeeded else Command.FAIL)
    campaign.closed_at = now
    if succeeded:
        release = release_of(campaign.raised, campaign.platform_fee_bps)
        publish(
            session,
            campaign,
            "campaign.succeeded",
            fee=format(release.fee, "f"),
            proceeds=format(release.proceeds, "f"),
        )
    else:
        publish(session, campaign, "campaign.failed", reason="min_target not reached")


def cancel_live(session: AsyncSession, campaign: Campaign, now: datetime) -> None:
    """Cancel a campaign (a live one is refunded by the settlement, like a failure)."""
    live = campaign.status == Status.ACTIVE
    move(campaign, Command.CANCEL)
    if live:
        campaign.closed_at = now
        publish(session, campaign, "campaign.failed", reason="cancelled by the issuer")


async def settle(
    session: AsyncSession, books: IssuanceBooks, campaign_id: uuid.UUID, now: datetime
) -> int:
    """Carry out a closed campaign's ledger steps; 1 when settled by this call, else 0."""
    campaign = await session.scalar(
        select(Campaign)
        .where(Campaign.id == campaign_id, Campaign.settled_at.is_(None))
        .with_for_update(skip_locked=True)
    )
    if campaign is None or campaign.closed_at is None:
        return 0
    tenant = campaign.tenant_id
    if campaign.status == Status.SUCCESSFUL:
        await _release(session, books, campaign)
    else:
        for investment in await repository.of_campaign(session, campaign.id, ["pledged"]):
            await books.void(tenant, investment.hold_id)
            investment.status = "refunded"
    for other in await repository.of_campaign(session, campaign.id, ["canceled", "rejected"]):
        await books.void(tenant, other.hold_id)
    campaign.settled_at = now
    return 1


async def _release(session: AsyncSession, books: IssuanceBooks, campaign: Campaign) -> None:
    tenant = campaign.tenant_id
    pledged = await repository.of_campaign(session, campaign.id, ["pledged", "confirmed"])
    holders = {
        row.id: row
        for row in await session.scalars(
            select(Investor).where(Investor.id.in_({p.investor_id for p in pledged}))
        )
    }
    cash_accounts = {}
    for investment in pledged:
        await books.post(tenant, investment.hold_id)
        investor = holders[investment.investor_id]
        if investor.cash_account_id not in cash_accounts:
            cash_accounts[investor.cash_account_id] = await books.cash_account(
                tenant, investor.cash_account_id
            )
        await books.credit_certificate(
            tenant,
            campaign.id,
            investment.id,
            cash_accounts[investor.cash_account_id],
            campaign.certificate_asset,
            investment.units,
        )
        investment.status = "confirmed"
        # The certificate's chain intent, in this same transaction (crash-safe chain writes).
        await enqueue_certificate(session, campaign, investment, investor)
    issuer = await issuers.get(session, tenant, campaign.issuer_id)
    assert issuer is not None
    raised = sum((p.amount for p in pledged), start=campaign.raised * 0)
    release = release_of(raised, campaign.platform_fee_bps)
    await books.release_escrow(
        tenant,
        campaign.id,
        campaign.cash_asset,
        issuer.cash_account_id,
        release.fee,
        release.proceeds,
    )
