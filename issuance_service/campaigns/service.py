"""Campaign use cases: create, submit, review, launch, extend, close early, cancel, progress.
Each reads top to bottom: load, decide (domain), save, emit."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.policy import Principal
from fleetkit.problems import ProblemError, conflict, not_found
from issuance_service.access import may_approve
from issuance_service.books.accounts import certificate_asset_of
from issuance_service.books.service import IssuanceBooks
from issuance_service.campaigns import repository
from issuance_service.campaigns.events import publish
from issuance_service.campaigns.models import Campaign
from issuance_service.campaigns.schemas import CampaignCreate, Progress
from issuance_service.domain.campaign_rules import (
    CANCEL_CUTOFF,
    CampaignRuleBroken,
    Targets,
    check_duration,
    early_close_deadline,
    extended_deadline,
)
from issuance_service.domain.campaign_states import Command, IllegalTransition, transition
from issuance_service.issuers import repository as issuers

CASH_SCALE = {"USD": 2, "EUR": 2, "GBP": 2}


def rule_problem(broken: CampaignRuleBroken) -> ProblemError:
    """A broken campaign rule as a 409 (state) or 422 (input) problem."""
    status = (
        422 if broken.kind in {"invalid-targets", "duration-too-short", "invalid-amount"} else 409
    )
    return ProblemError(status, broken.kind, broken.detail)


def move(campaign: Campaign, command: Command) -> None:
    """Apply `command` to the campaign's status, or answer 409 `campaign-state`."""
    try:
        campaign.status = transition(campaign.status_enum, command).value
    except IllegalTransition as exc:
        raise conflict("campaign-state", str(exc), campaign_status=campaign.status) from exc


async def create_campaign(
    session: AsyncSession, tenant_id: str, subject: str, body: CampaignCreate, fee_bps: int
) -> Campaign:
    """A draft campaign of an issuer of the tenant."""
    issuer = await issuers.get(session, tenant_id, body.issuer_id)
    if issuer is None:
        raise ProblemError(422, "unknown-issuer", "issuer_id is not an issuer of this tenant")
    try:
        Targets(body.min_target, body.max_target)
        check_duration(timedelta(days=body.duration_days))
    except CampaignRuleBroken as broken:
        raise rule_problem(broken) from broken
    if body.min_target % body.unit_price or body.max_target % body.unit_price:
        raise ProblemError(422, "invalid-targets", "targets are whole multiples of unit_price")
    jurisdictions = sorted({code.strip().upper() for code in body.allowed_jurisdictions})
    campaign_id = uuid.uuid4()
    campaign = Campaign(
        id=campaign_id,
        tenant_id=tenant_id,
        issuer_id=issuer.id,
        owner_subject=subject,
        name=body.name,
        company=issuer.name,
        currency=body.currency,
        cash_asset=f"{body.currency}/{CASH_SCALE[body.currency]}",
        unit_price=body.unit_price,
        min_target=body.min_target,
        max_target=body.max_target,
        platform_fee_bps=fee_bps if body.platform_fee_bps is None else body.platform_fee_bps,
        duration_days=body.duration_days,
        requires_accreditation=body.requires_accreditation,
        allowed_jurisdictions=",".join(jurisdictions),
        certificate_asset=certificate_asset_of(campaign_id),
    )
    session.add(campaign)
    await session.flush()
    return campaign


async def load(
    session: AsyncSession, tenant_id: str, campaign_id: uuid.UUID, *, lock: bool = False
) -> Campaign:
    """The tenant's campaign or a 404."""
    campaign = await repository.get(session, tenant_id, campaign_id, lock=lock)
    if campaign is None:
        raise not_found("campaign")
    return campaign


async def submit(session: AsyncSession, campaign: Campaign) -> None:
    """Send a draft to compliance; the issuer must have passed KYC."""
    issuer = await issuers.get(session, campaign.tenant_id, campaign.issuer_id)
    if issuer is None or issuer.kyc_status != "verified":
        raise conflict("issuer-not-verified", "the issuer must pass KYC before submitting")
    move(campaign, Command.SUBMIT)


def review(
    session: AsyncSession, principal: Principal, campaign: Campaign, approve: bool, reason: str
) -> None:
    """Compliance approves (or sends back to draft) a submitted campaign."""
    may_approve(principal, campaign)
    move(campaign, Command.APPROVE if approve else Command.REJECT)
    campaign.review_reason = reason
    if approve:
        campaign.approved_by = principal.subject
        publish(session, campaign, "campaign.approved", approved_by=principal.subject)


async def launch(
    session: AsyncSession, books: IssuanceBooks, campaign: Campaign, now: datetime
) -> None:
    """Go live: open the campaign's ledger accounts, start the clock."""
    move(campaign, Command.LAUNCH)
    await books.open_campaign(
        campaign.tenant_id, campaign.id, campaign.cash_asset, campaign.certificate_asset
    )
    campaign.opened_at = now
    campaign.deadline = now + timedelta(days=campaign.duration_days)
    publish(session, campaign, "campaign.launched")


def extend(campaign: Campaign, new_deadline: datetime, now: datetime) -> None:
    """The one extension of a live campaign."""
    move(campaign, Command.EXTEND)
    assert campaign.deadline is not None
    try:
        campaign.deadline = extended_deadline(
            campaign.deadline, new_deadline, campaign.extensions_used, now
        )
    except CampaignRuleBroken as broken:
        raise rule_problem(broken) from broken
    campaign.extensions_used += 1


def close_early(campaign: Campaign, now: datetime) -> None:
    """Bring the deadline forward once min_target is met, with notice to investors."""
    move(campaign, Command.EARLY_CLOSE)
    assert campaign.opened_at is not None
    assert campaign.deadline is not None
    try:
        campaign.deadline = early_close_deadline(
            campaign.opened_at, campaign.deadline, campaign.raised, campaign.targets, now
        )
    except CampaignRuleBroken as broken:
        raise rule_problem(broken) from broken
    campaign.early_close_noticed_at = now


async def progress(session: AsyncSession, campaign: Campaign) -> Progress:
    """Where the campaign stands against its targets."""
    pledges, investors = await repository.pledge_counts(session, campaign.id)
    percent = (campaign.raised * 100 / campaign.min_target).quantize(
        Decimal("0.01"), rounding=ROUND_DOWN
    )
    return Progress(
        campaign_id=campaign.id,
        status=campaign.status,
        currency=campaign.currency,
        raised=format(campaign.raised, "f"),
        min_target=format(campaign.min_target, "f"),
        max_target=format(campaign.max_target, "f"),
        percent_of_min_target=format(percent, "f"),
        left_below_max_target=format(campaign.max_target - campaign.raised, "f"),
        pledges=pledges,
        investors=investors,
        deadline=campaign.deadline,
        cancel_cutoff=None if campaign.deadline is None else campaign.deadline - CANCEL_CUTOFF,
        min_target_met=campaign.raised >= campaign.min_target,
    )
