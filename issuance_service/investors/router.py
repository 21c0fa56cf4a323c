"""Investors API: register one's profile, compliance's review, the Reg CF limits."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from sqlalchemy.exc import IntegrityError

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.problems import conflict, not_found
from issuance_service.access import (
    may_read,
    may_register_investor,
    may_review_investor,
    tenant_of,
)
from issuance_service.investors import repository
from issuance_service.investors.models import Investor
from issuance_service.investors.schemas import (
    InvestorCreate,
    InvestorPublic,
    InvestorReview,
    LimitsPublic,
)
from issuance_service.investors.service import WINDOW, limits_of

router = APIRouter(prefix="/investors", tags=["investors"])


def public(investor: Investor) -> InvestorPublic:
    return InvestorPublic(
        id=investor.id,
        subject=investor.subject,
        cash_account_id=investor.cash_account_id,
        jurisdiction=investor.jurisdiction,
        annual_income=format(investor.annual_income, "f"),
        net_worth=format(investor.net_worth, "f"),
        kyc_status=investor.kyc_status,
        kyc_reason=investor.kyc_reason,
        accredited=investor.accredited,
        wallet_address=investor.wallet_address,
        created_at=investor.created_at,
    )


async def _visible(
    session: SessionDep, principal: CurrentPrincipal, investor_id: uuid.UUID
) -> Investor:
    tenant = tenant_of(principal)
    investor = await repository.get(session, tenant, investor_id)
    if investor is None:
        raise not_found("investor")
    may_read(principal, "investor", investor.subject)
    return investor


@router.post("", response_model=InvestorPublic, status_code=201)
async def register_investor(
    body: InvestorCreate, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> InvestorPublic:
    """The calling investor's profile; KYC starts `pending`, accreditation false."""
    tenant = may_register_investor(principal)
    await request.app.state.books.cash_account(tenant, body.cash_account_id)
    investor = Investor(
        id=uuid.uuid4(),
        tenant_id=tenant,
        subject=principal.subject,
        cash_account_id=body.cash_account_id,
        jurisdiction=body.jurisdiction,
        annual_income=body.annual_income,
        net_worth=body.net_worth,
        wallet_address=body.wallet_address,
    )
    session.add(investor)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise conflict("investor-exists", "this user already has an investor profile") from exc
    return public(investor)


@router.get("/{investor_id}", response_model=InvestorPublic)
async def get_investor(
    investor_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> InvestorPublic:
    return public(await _visible(session, principal, investor_id))


@router.post("/{investor_id}/review", response_model=InvestorPublic)
async def review_investor(
    investor_id: uuid.UUID, body: InvestorReview, principal: CurrentPrincipal, session: SessionDep
) -> InvestorPublic:
    """Compliance's KYC and accreditation decision, with its reason."""
    investor = await _visible(session, principal, investor_id)
    may_review_investor(principal, investor)
    investor.kyc_status = body.kyc_status
    investor.accredited = body.accredited
    investor.kyc_reason = body.reason
    await session.flush()
    return public(investor)


@router.get("/{investor_id}/limits", response_model=LimitsPublic)
async def investor_limits(
    investor_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> LimitsPublic:
    """The Reg CF 12-month limit, what every campaign used of it, and why."""
    investor = await _visible(session, principal, investor_id)
    now = request.app.state.clock()
    limit = await limits_of(session, investor, now)
    return LimitsPublic(
        investor_id=investor.id,
        accredited=investor.accredited,
        limit=None if limit.limit is None else format(limit.limit, "f"),
        invested_last_12_months=format(limit.used, "f"),
        remaining=None if limit.remaining is None else format(limit.remaining, "f"),
        rule=limit.rule,
        explanation=limit.explanation,
        window_start=now - WINDOW,
    )
