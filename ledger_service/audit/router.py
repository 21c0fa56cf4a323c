"""Audit API: verify the chain, link the queued transactions now."""

from __future__ import annotations

from fastapi import APIRouter

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import WholeBookSessionDep
from ledger_service.access import may_post, may_read
from ledger_service.audit import service
from ledger_service.audit.schemas import ChainVerification, LinkResult

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("/verify", response_model=ChainVerification)
async def verify_audit_chain(
    principal: CurrentPrincipal, session: WholeBookSessionDep
) -> ChainVerification:
    """Recompute every link of the chain from the stored transactions (every tenant's: the
    chain covers the whole book; only the caller's own count is reported)."""
    tenant = may_read(principal)
    report = await service.verify_chain(session, tenant_id=tenant)
    return ChainVerification(
        verified=report.verified,
        links=report.links,
        transactions=report.tenant_transactions,
        first_broken_link=report.first_broken_link,
        reason=report.reason,
    )


@router.post("/link", response_model=LinkResult)
async def link_pending_transactions(
    principal: CurrentPrincipal, session: WholeBookSessionDep
) -> LinkResult:
    """Append the queued transactions to the chain now (the worker does it every few seconds)."""
    may_post(principal)
    return LinkResult(linked=await service.link_pending_transactions(session))
