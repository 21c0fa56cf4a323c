"""The equity service's questions to the fleet's access policy."""

from __future__ import annotations

from fleetkit.policy import Principal, Resource, authorize
from fleetkit.problems import ProblemError


def may_read_reference(principal: Principal) -> None:
    """Instruments, quotes and bars are shared reference data."""
    authorize(principal, "read", Resource("instrument", None))


def tenant_of(principal: Principal) -> str:
    if not principal.tenant_id:
        raise ProblemError(403, "tenant-required", "orders act for a tenant")
    return principal.tenant_id


def may_read_orders(principal: Principal) -> str:
    """Reading the tenant's orders; returns the tenant."""
    tenant = tenant_of(principal)
    authorize(principal, "read", Resource("order", tenant))
    return tenant


def may_trade(principal: Principal) -> str:
    """Placing and canceling orders on the tenant's accounts; returns the tenant."""
    tenant = tenant_of(principal)
    authorize(principal, "trade", Resource("account", tenant))
    return tenant
