"""Pledging into a campaign's escrow and withdrawing a pledge.

A pledge is committed (`pending`, counted in `raised` under the campaign's row lock, so
first come first served and max_target hold under concurrency) before the ledger is asked
for the hold: a pledge whose hold is in doubt is on record, never lost.
"""

from __future__ import annotations

import uuid
from contextlib import suppress
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.http_client import DownstreamError
from fleetkit.ledger_client import LedgerRefusal
from fleetkit.policy import Principal
from fleetkit.problems import ProblemError, conflict, not_found
from issuance_service.access import may_invest, may_withdraw
from issuance_service.books.accounts import hold_id_of
from issuance_service.books.service import IssuanceBooks
from issuance_service.campaigns import repository as campaigns
from issuance_service.campaigns.events import investment_payload, publish
from issuance_service.campaigns.service import rule_problem
from issuance_service.domain.campaign_rules import (
    CampaignRuleBroken,
    accept_pledge,
    is_due,
    may_cancel,
)
from issuance_service.domain.campaign_states import Status
from issuance_service.domain.settlement import units_of
from issuance_service.investments import repository
from issuance_service.investments.models import Investment
from issuance_service.investors import repository as investors
from issuance_service.investors.service import limits_of

PLEDGE_NAMESPACE = uuid.UUID("6f1d2c7e-3b0a-5e8f-9a41-2c5d7e9b1f03")


def pledge_id_of(tenant_id: str, subject: str, campaign_id: uuid.UUID, key: str) -> uuid.UUID:
    """The pledge an Idempotency-Key names: the same request always makes the same pledge."""
    return uuid.uuid5(PLEDGE_NAMESPACE, f"{tenant_id}:{subject}:{campaign_id}:{key}")


async def pledge(
    session: AsyncSession,
    books: IssuanceBooks,
    principal: Principal,
    tenant_id: str,
    campaign_id: uuid.UUID,
    amount: Decimal,
    now: datetime,
    key: str,
) -> Investment:
    """Pledge `amount`: checked (policy, campaign rules, Reg CF limit), then held in escrow.

    The pledge's id comes from the Idempotency-Key, so a request run again after a crash took
    the kit's stored answer with it (the pledge committed, the answer not) finds its pledge
    and finishes it instead of pledging twice.
    """
    investment_id = pledge_id_of(tenant_id, principal.subject, campaign_id, key)
    earlier = await repository.get(session, tenant_id, investment_id)
    if earlier is not None:
        if earlier.status == "pending":  # its hold was not confirmed: the ledger says once
            investor = await investors.get(session, tenant_id, earlier.investor_id)
            campaign = await campaigns.get(session, tenant_id, earlier.campaign_id)
            assert investor is not None
            assert campaign is not None
            await _hold(session, books, earlier, investor.cash_account_id, campaign.cash_asset)
        return earlier
    investor = await investors.by_subject(session, tenant_id, principal.subject, lock=True)
    campaign = await campaigns.get(session, tenant_id, campaign_id, lock=True)
    if campaign is None:
        raise not_found("campaign")
    may_invest(principal, investor, campaign)
    assert investor is not None
    if (
        campaign.status != Status.ACTIVE
        or campaign.deadline is None
        or is_due(campaign.deadline, now)
    ):
        raise conflict("campaign-not-open", "the campaign does not take pledges now")
    try:
        accept_pledge(campaign.raised, amount, campaign.targets, campaign.unit_price)
    except CampaignRuleBroken as broken:
        raise rule_problem(broken) from broken
    limit = await limits_of(session, investor, now)
    if limit.remaining is not None and amount > limit.remaining:
        raise ProblemError(
            422,
            "investment-limit-exceeded",
            f"the Reg CF 12-month limit leaves {limit.remaining}",
            explanation=limit.explanation,
        )
    investment = Investment(
        id=investment_id,
        tenant_id=tenant_id,
        campaign_id=campaign.id,
        investor_id=investor.id,
        amount=amount,
        units=units_of(amount, campaign.unit_price),
        hold_id=hold_id_of(investment_id),
    )
    session.add(investment)
    campaign.raised += amount
    await session.commit()
    await _hold(session, books, investment, investor.cash_account_id, campaign.cash_asset)
    return investment


async def _hold(
    session: AsyncSession,
    books: IssuanceBooks,
    investment: Investment,
    investor_cash: uuid.UUID,
    cash_asset: str,
) -> None:
    tenant = investment.tenant_id
    reason: str | None = None
    try:
        await books.hold_pledge(
            tenant,
            investment.hold_id,
            investor_cash,
            investment.campaign_id,
            cash_asset,
            investment.amount,
        )
    except LedgerRefusal as refusal:
        reason = refusal.kind
    except DownstreamError:
        reason = "ledger-unavailable"
        await _void_quietly(books, tenant, investment.hold_id)
    campaign = await campaigns.get(session, tenant, investment.campaign_id, lock=True)
    await session.refresh(investment, with_for_update=True)
    assert campaign is not None
    if investment.status != "pending":
        # The campaign closed meanwhile and took this pledge as rejected: undo the hold.
        await books.void(tenant, investment.hold_id)
        return
    if reason is not None:
        investment.status, investment.reject_reason = "rejected", reason
        campaign.raised -= investment.amount
        return
    investment.status = "pledged"
    publish(session, campaign, "investment.pledged", investment=investment_payload(investment))


async def _void_quietly(books: IssuanceBooks, tenant_id: str, hold_id: uuid.UUID) -> None:
    # If the ledger is down, the close's sweep voids every hold that is not confirmed.
    with suppress(DownstreamError):
        await books.void(tenant_id, hold_id)


async def cancel(
    session: AsyncSession,
    books: IssuanceBooks,
    principal: Principal,
    tenant_id: str,
    investment_id: uuid.UUID,
    now: datetime,
) -> Investment:
    """Withdraw a pledge until 48 hours before the deadline; then 409."""
    found = await repository.get(session, tenant_id, investment_id)
    if found is None:
        raise not_found("investment")
    campaign = await campaigns.get(session, tenant_id, found.campaign_id, lock=True)
    investment = await repository.get(session, tenant_id, investment_id, lock=True)
    investor = await investors.get(session, tenant_id, found.investor_id)
    assert campaign is not None
    assert investment is not None
    assert investor is not None
    may_withdraw(principal, investor.subject)
    if investment.status != "pledged":
        raise conflict("investment-not-cancelable", f"the investment is {investment.status}")
    assert campaign.deadline is not None
    if campaign.status != Status.ACTIVE or not may_cancel(campaign.deadline, now):
        raise conflict(
            "cancel-window-closed",
            "pledges may be canceled until 48 hours before the deadline",
            deadline=campaign.deadline.isoformat(),
        )
    investment.status = "canceled"
    campaign.raised -= investment.amount
    publish(session, campaign, "investment.canceled", investment=investment_payload(investment))
    await session.commit()
    await _void_quietly(books, tenant_id, investment.hold_id)
    return investment
