"""The fixed income service's questions to the fleet's access policy.

Bonds, calendars, curves and price marks are shared reference data (tenant None): every role
reads them, only an admin writes them. Analytics jobs and bond trades belong to the caller's
tenant; trading moves the tenant's money, as placing an equity order does.
"""

from __future__ import annotations

from fleetkit.auth import require_tenant
from fleetkit.policy import Principal, Resource, authorize


def may_read_bonds(principal: Principal) -> None:
    """Reading bonds and running analytics on them."""
    authorize(principal, "read", Resource("bond", None))


def may_write_bonds(principal: Principal) -> None:
    """Adding a bond to the reference data."""
    authorize(principal, "write", Resource("bond", None))


def may_write_curves(principal: Principal) -> None:
    """Adding a curve to the reference data."""
    authorize(principal, "write", Resource("curve", None))


def may_write_fixings(principal: Principal) -> None:
    """Recording an index's realised fixings (reference data, as bonds are)."""
    authorize(principal, "write", Resource("bond", None))


def may_trade(principal: Principal) -> str:
    """Buying and selling bonds on the tenant's ledger accounts; returns the tenant."""
    tenant = require_tenant(principal, "bond trades")
    authorize(principal, "trade", Resource("account", tenant))
    return tenant


def may_read_trades(principal: Principal) -> str:
    """Reading the tenant's bond trades and valuations; returns the tenant."""
    tenant = require_tenant(principal, "bond trades")
    authorize(principal, "read", Resource("bond_trade", tenant))
    return tenant
