"""Investments API: pledge (Idempotency-Key), read, cancel."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.problems import ProblemError, not_found
from issuance_service.access import may_read, tenant_of
from issuance_service.investments import repository, service
from issuance_service.investments.models import Investment
from issuance_service.investments.reconfirmation import reconfirm
from issuance_service.investments.schemas import InvestmentCreate, InvestmentPublic
from issuance_service.investors import repository as investors

router = APIRouter(tags=["investments"])


def public(investment: Investment) -> InvestmentPublic:
    return InvestmentPublic(
        id=investment.id,
        campaign_id=investment.campaign_id,
        investor_id=investment.investor_id,
        amount=format(investment.amount, "f"),
        units=investment.units,
        status=investment.status,
        hold_id=investment.hold_id,
        reject_reason=investment.reject_reason,
        reconfirm_by=investment.reconfirm_by,
        created_at=investment.created_at,
    )


@router.post(
    "/campaigns/{campaign_id}/investments", response_model=InvestmentPublic, status_code=201
)
async def pledge(
    campaign_id: uuid.UUID,
    body: InvestmentCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
) -> InvestmentPublic:
    """Pledge: the amount is held from the investor's cash into the campaign's escrow.
    An Idempotency-Key is required: a retry answers the first pledge instead of pledging
    twice (the kit's middleware replays it)."""
    key = request.headers.get("Idempotency-Key")
    if not key:
        raise ProblemError(
            428, "idempotency-key-required", "a pledge moves money: send an Idempotency-Key"
        )
    tenant = tenant_of(principal)
    state = request.app.state
    investment = await service.pledge(
        session, state.books, principal, tenant, campaign_id, body.amount, state.clock(), key
    )
    if investment.status == "rejected":
        await session.commit()  # the refusal stays on record; the problem answers the client
        raise ProblemError(
            422,
            investment.reject_reason,
            "the ledger refused to hold the pledge",
            investment_id=str(investment.id),
        )
    return public(investment)


@router.get("/investments/{investment_id}", response_model=InvestmentPublic)
async def get_investment(
    investment_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> InvestmentPublic:
    tenant = tenant_of(principal)
    investment = await repository.get(session, tenant, investment_id)
    if investment is None:
        raise not_found("investment")
    investor = await investors.get(session, tenant, investment.investor_id)
    may_read(principal, "investment", None if investor is None else investor.subject)
    return public(investment)


@router.post("/investments/{investment_id}/reconfirm", response_model=InvestmentPublic)
async def reconfirm_pledge(
    investment_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> InvestmentPublic:
    """Keep the pledge after a material change (before `reconfirm_by`)."""
    tenant = tenant_of(principal)
    investment = await reconfirm(
        session, principal, tenant, investment_id, request.app.state.clock()
    )
    return public(investment)


@router.post("/investments/{investment_id}/cancel", response_model=InvestmentPublic)
async def cancel(
    investment_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> InvestmentPublic:
    """Withdraw a pledge (its hold is voided) until 48 hours before the deadline, then 409."""
    tenant = tenant_of(principal)
    state = request.app.state
    investment = await service.cancel(
        session, state.books, principal, tenant, investment_id, state.clock()
    )
    return public(investment)
