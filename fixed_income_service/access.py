"""The fixed income service's questions to the fleet's access policy.

Bonds and calendars are shared reference data (tenant None): every role reads them, only an
admin writes them. Analytics jobs belong to the caller's tenant.
"""

from __future__ import annotations

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
