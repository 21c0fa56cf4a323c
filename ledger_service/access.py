"""The ledger's questions to the fleet's access policy."""

from __future__ import annotations

from fleetkit.policy import Principal, Resource, authorize
from fleetkit.problems import ProblemError


def tenant_of(principal: Principal) -> str:
    """The caller's tenant; a ledger call without one is refused."""
    if not principal.tenant_id:
        raise ProblemError(403, "tenant-required", "ledger calls act for a tenant")
    return principal.tenant_id


def may_read(principal: Principal) -> str:
    """Reading the tenant's books; returns the tenant."""
    tenant = tenant_of(principal)
    authorize(principal, "read", Resource("account", tenant))
    return tenant


def may_post(principal: Principal) -> str:
    """Moving value in the tenant's books; returns the tenant."""
    tenant = tenant_of(principal)
    authorize(principal, "post_transaction", Resource("account", tenant))
    return tenant
