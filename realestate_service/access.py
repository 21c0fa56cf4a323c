"""The realestate service's questions to the fleet's access policy (DESIGN §6).

| act | owner | manager | accountant | viewer |
|---|---|---|---|---|
| read anything, reports | yes | yes | yes | yes |
| buildings, units, renters, leases, charges, payments, reversals, deposits | yes | yes | no | no |
| expenses and receipts | yes | yes | yes | no |
| write-offs | yes | yes | yes | no |
| year-end export | yes | yes | yes | no |
| organization settings (allocation option, organization late-fee policy) | yes | no | no | no |
"""

from __future__ import annotations

from fleetkit.auth import require_tenant
from fleetkit.policy import Principal, Resource, authorize

KIND = "property"


def _authorized(principal: Principal, action: str) -> str:
    tenant = require_tenant(principal, "real-estate calls")
    authorize(principal, action, Resource(KIND, tenant))
    return tenant


def may_read(principal: Principal) -> str:
    """Reading the organization's properties, leases, ledgers and reports; returns the tenant."""
    return _authorized(principal, "read")


def may_write(principal: Principal) -> str:
    """Managing buildings, leases and the rent ledger (owner, manager)."""
    return _authorized(principal, "write")


def may_record_expense(principal: Principal) -> str:
    """Recording expenses and their receipts (owner, manager, accountant)."""
    return _authorized(principal, "record_expense")


def may_write_off(principal: Principal) -> str:
    """Writing off what a renter owes (owner, manager, accountant)."""
    return _authorized(principal, "write_off")


def may_export(principal: Principal) -> str:
    """The year-end export for the accountant (owner, manager, accountant)."""
    return _authorized(principal, "export")


def may_manage_settings(principal: Principal) -> str:
    """Organization settings: allocation option, organization-wide late-fee policy (owner)."""
    return _authorized(principal, "manage_settings")
