"""Campaigns API: create, submit, review, launch, extend, close early, cancel, progress,
valuation."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.pagination import Cursor, Limit, page
from issuance_service.access import may_read, may_write
from issuance_service.campaigns import service
from issuance_service.campaigns.models import Campaign
from issuance_service.campaigns.schemas import (
    CampaignCreate,
    CampaignPage,
    CampaignPublic,
    Extension,
    MaterialChange,
    Progress,
    Review,
    Valuation,
)
from issuance_service.domain.campaign_states import Status
from issuance_service.investments.closing import cancel_live
from issuance_service.investments.reconfirmation import material_change

router = APIRouter(prefix="/campaigns", tags=["campaigns"])


def public(campaign: Campaign) -> CampaignPublic:
    return CampaignPublic(
        id=campaign.id,
        issuer_id=campaign.issuer_id,
        name=campaign.name,
        company=campaign.company,
        currency=campaign.currency,
        unit_price=format(campaign.unit_price, "f"),
        min_target=format(campaign.min_target, "f"),
        max_target=format(campaign.max_target, "f"),
        platform_fee_bps=campaign.platform_fee_bps,
        duration_days=campaign.duration_days,
        requires_accreditation=campaign.requires_accreditation,
        allowed_jurisdictions=campaign.allowed_jurisdictions.split(","),
        status=campaign.status,
        raised=format(campaign.raised, "f"),
        opened_at=campaign.opened_at,
        deadline=campaign.deadline,
        extensions_used=campaign.extensions_used,
        early_close_noticed_at=campaign.early_close_noticed_at,
        material_change_at=campaign.material_change_at,
        material_change=campaign.material_change,
        approved_by=campaign.approved_by,
        review_reason=campaign.review_reason,
        closed_at=campaign.closed_at,
        settled_at=campaign.settled_at,
        certificate_asset=campaign.certificate_asset,
    )


@router.post("", response_model=CampaignPublic, status_code=201)
async def create_campaign(
    body: CampaignCreate, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> CampaignPublic:
    """A draft campaign of one of the tenant's issuers."""
    tenant = may_write(principal, "campaign")
    fee = request.app.state.settings.platform_fee_bps
    return public(await service.create_campaign(session, tenant, principal.subject, body, fee))


@router.get("", response_model=CampaignPage)
async def list_campaigns(
    principal: CurrentPrincipal,
    session: SessionDep,
    status: Status | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> CampaignPage:
    """The tenant's campaigns, of one `status` if given (`active`: open to pledges)."""
    tenant = may_read(principal, "campaign")
    query = select(Campaign).where(Campaign.tenant_id == tenant)
    if status is not None:
        query = query.where(Campaign.status == status.value)
    rows, next_cursor = await page(session, query, Campaign.id, cursor, limit)
    return CampaignPage(items=[public(row[0]) for row in rows], next_cursor=next_cursor)


@router.get("/{campaign_id}", response_model=CampaignPublic)
async def get_campaign(
    campaign_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> CampaignPublic:
    tenant = may_read(principal, "campaign")
    return public(await service.load(session, tenant, campaign_id))


@router.post("/{campaign_id}/submit", response_model=CampaignPublic)
async def submit_campaign(
    campaign_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> CampaignPublic:
    """Send the draft to compliance (the issuer must have passed KYC)."""
    tenant = may_write(principal, "campaign")
    campaign = await service.load(session, tenant, campaign_id, lock=True)
    await service.submit(session, campaign)
    return public(campaign)


@router.post("/{campaign_id}/review", response_model=CampaignPublic)
async def review_campaign(
    campaign_id: uuid.UUID, body: Review, principal: CurrentPrincipal, session: SessionDep
) -> CampaignPublic:
    """Compliance approves, or sends back to draft, with a reason (never the issuer's own)."""
    tenant = may_read(principal, "campaign")
    campaign = await service.load(session, tenant, campaign_id, lock=True)
    service.review(session, principal, campaign, body.decision == "approve", body.reason)
    return public(campaign)


@router.post("/{campaign_id}/launch", response_model=CampaignPublic)
async def launch_campaign(
    campaign_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> CampaignPublic:
    """Go live now; the deadline is `duration_days` from now."""
    tenant = may_write(principal, "campaign")
    campaign = await service.load(session, tenant, campaign_id, lock=True)
    state = request.app.state
    await service.launch(session, state.books, campaign, state.clock())
    return public(campaign)


@router.post("/{campaign_id}/extend", response_model=CampaignPublic)
async def extend_campaign(
    campaign_id: uuid.UUID,
    body: Extension,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
) -> CampaignPublic:
    """Move the deadline later, once."""
    tenant = may_write(principal, "campaign")
    campaign = await service.load(session, tenant, campaign_id, lock=True)
    service.extend(campaign, body.new_deadline, request.app.state.clock())
    return public(campaign)


@router.post("/{campaign_id}/early-close", response_model=CampaignPublic)
async def close_campaign_early(
    campaign_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> CampaignPublic:
    """Once min_target is met: the deadline comes forward, after five business days' notice."""
    tenant = may_write(principal, "campaign")
    campaign = await service.load(session, tenant, campaign_id, lock=True)
    service.close_early(campaign, request.app.state.clock())
    return public(campaign)


@router.post("/{campaign_id}/material-change", response_model=CampaignPublic)
async def record_material_change(
    campaign_id: uuid.UUID,
    body: MaterialChange,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
) -> CampaignPublic:
    """A material change to the offering: every live pledge must be reconfirmed within five
    business days or it is refunded."""
    tenant = may_write(principal, "campaign")
    campaign = await service.load(session, tenant, campaign_id, lock=True)
    await material_change(session, campaign, body.description, request.app.state.clock())
    return public(campaign)


@router.post("/{campaign_id}/cancel", response_model=CampaignPublic)
async def cancel_campaign(
    campaign_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> CampaignPublic:
    """Cancel; a live campaign's pledges are all refunded by the closing worker."""
    tenant = may_write(principal, "campaign")
    campaign = await service.load(session, tenant, campaign_id, lock=True)
    cancel_live(session, campaign, request.app.state.clock())
    return public(campaign)


@router.get("/{campaign_id}/progress", response_model=Progress)
async def campaign_progress(
    campaign_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> Progress:
    """Raised against min_target and max_target, pledges, investors, deadline."""
    tenant = may_read(principal, "campaign")
    return await service.progress(session, await service.load(session, tenant, campaign_id))


@router.get("/{campaign_id}/valuation", response_model=Valuation)
async def campaign_valuation(
    campaign_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    as_of: date = Query(),
) -> Valuation:
    """The certificate asset's price for the gateway: the issue price (CONTRACTS.md)."""
    tenant = may_read(principal, "campaign")
    campaign = await service.load(session, tenant, campaign_id)
    return Valuation(
        campaign_id=campaign.id,
        asset=campaign.certificate_asset,
        currency=campaign.currency,
        price_per_unit=format(campaign.unit_price, "f"),
        method="issue_price",
        as_of=as_of,
    )
