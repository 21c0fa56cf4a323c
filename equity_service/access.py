"""The equity service's questions to the fleet's access policy."""

from __future__ import annotations

from fleetkit.auth import require_tenant
from fleetkit.policy import Principal, Resource, authorize


def may_read_reference(principal: Principal) -> None:
    """Instruments, quotes and bars are shared reference data."""
    authorize(principal, "read", Resource("instrument", None))


def tenant_of(principal: Principal) -> str:
    """The caller's tenant; a call without one is refused."""
    return require_tenant(principal, "orders")


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
