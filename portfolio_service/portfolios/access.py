"""The portfolio service's questions to the fleet's access policy about portfolios."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.auth import require_tenant
from fleetkit.policy import Principal, Resource, authorize
from fleetkit.problems import ProblemError, not_found
from portfolio_service.portfolios import repository
from portfolio_service.portfolios.models import Portfolio


def resource_of(portfolio: Portfolio) -> Resource:
    """A portfolio as the policy sees it: its tenant and its owner."""
    return Resource(
        "portfolio", str(portfolio.tenant_id), {"owner_subject": portfolio.owner_subject}
    )


def tenant_of(principal: Principal) -> uuid.UUID:
    """The caller's tenant; a call without one (or with one the gateway never issued) is
    refused."""
    tenant = require_tenant(principal, "portfolios")
    try:
        return uuid.UUID(tenant)
    except ValueError as exc:
        raise ProblemError(403, "tenant-unknown", "this token's tenant is not one of ours") from exc


async def portfolio_for(
    session: AsyncSession, principal: Principal, portfolio_id: uuid.UUID, action: str
) -> Portfolio:
    """The portfolio if the caller may `action` it; 404 when absent or another tenant's."""
    found = await repository.portfolio(session, tenant_of(principal), portfolio_id)
    if found is None:
        raise not_found("portfolio")
    authorize(principal, action, resource_of(found))
    return found


def may_create(principal: Principal) -> uuid.UUID:
    """Creating a portfolio owned by the caller; returns the tenant."""
    tenant = tenant_of(principal)
    authorize(
        principal, "write", Resource("portfolio", str(tenant), {"owner_subject": principal.subject})
    )
    return tenant
