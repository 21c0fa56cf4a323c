"""The ledger's questions to the fleet's access policy."""

from __future__ import annotations

from fleetkit.auth import require_tenant
from fleetkit.policy import Principal, Resource, authorize


def tenant_of(principal: Principal) -> str:
    """The caller's tenant; a call without one is refused."""
    return require_tenant(principal, "ledger calls")


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
