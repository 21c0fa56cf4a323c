"""Each role against each action (issue 6): owner all; manager all but settings; accountant
reads, expenses, write-offs and the export; viewer reads only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

ROLES = ("owner", "manager", "accountant", "viewer")
Call = tuple[str, str, dict[str, Any] | None]


async def _leased(api, runs) -> dict[str, Any]:
    lease = await api.lease(rent="1000", start="2025-01-01")
    await runs.rent("2025-02-01")
    lease["charges"] = [c["id"] for c in (await api.ledger(lease["id"]))["charges"]]
    lease["payment"] = (await api.pay(lease["id"], "100", "2025-01-03"))["id"]
    return dict(lease)


ACTIONS: dict[str, tuple[Callable[[dict[str, Any]], Call], set[str]]] = {
    "read ledger": (lambda x: ("GET", f"/v1/leases/{x['id']}/ledger", None), set(ROLES)),
    "read units": (lambda x: ("GET", "/v1/units?occupancy=occupied", None), set(ROLES)),
    "read rent roll": (
        lambda x: ("GET", "/v1/reports/rent-roll?as_of=2025-02-01", None),
        set(ROLES),
    ),
    "create building": (lambda x: ("POST", "/v1/buildings", {"name": "B"}), {"owner", "manager"}),
    "add units": (
        lambda x: ("POST", f"/v1/buildings/{x['building_id']}/units/bulk",
                   {"units": [{"label": "Z1"}]}),
        {"owner", "manager"},
    ),
    "create tenant": (lambda x: ("POST", "/v1/tenants", {"name": "T"}), {"owner", "manager"}),
    "terminate lease": (
        lambda x: ("POST", f"/v1/leases/{x['id']}/terminate",
                   {"moved_out_on": "2025-02-10", "reason": "r"}),
        {"owner", "manager"},
    ),
    "post charge": (
        lambda x: ("POST", f"/v1/leases/{x['id']}/charges",
                   {"kind": "utility", "amount": "40", "due_on": "2025-02-05"}),
        {"owner", "manager"},
    ),
    "record payment": (
        lambda x: ("POST", f"/v1/leases/{x['id']}/payments",
                   {"amount": "10", "received_on": "2025-02-02"}),
        {"owner", "manager"},
    ),
    "reverse payment": (
        lambda x: ("POST", f"/v1/payments/{x['payment']}/reverse",
                   {"kind": "nsf", "reason": "r"}),
        {"owner", "manager"},
    ),
    "waive charge": (
        lambda x: ("POST", f"/v1/charges/{x['charges'][1]}/waive", {"reason": "r"}),
        {"owner", "manager"},
    ),
    "write off charge": (
        lambda x: ("POST", f"/v1/charges/{x['charges'][1]}/write-off", {"reason": "r"}),
        {"owner", "manager", "accountant"},
    ),
    "receive deposit": (
        lambda x: ("POST", f"/v1/leases/{x['id']}/deposit/receive",
                   {"amount": "500", "on": "2025-01-01"}),
        {"owner", "manager"},
    ),
    "building late-fee policy": (
        lambda x: ("PUT", f"/v1/late-fee-policies/buildings/{x['building_id']}",
                   {"initial_amount": "25"}),
        {"owner", "manager"},
    ),
    "organization late-fee policy": (
        lambda x: ("PUT", "/v1/late-fee-policies/organization", {"initial_amount": "25"}),
        {"owner"},
    ),
    "settings": (lambda x: ("PUT", "/v1/settings", {"fees_last": True}), {"owner"}),
    "record expense": (
        lambda x: ("POST", "/v1/expenses",
                   {"building_id": x["building_id"], "schedule_e_line": 14, "amount": "120",
                    "paid_on": "2025-01-20"}),
        {"owner", "manager", "accountant"},
    ),
    "year-end export": (
        lambda x: ("GET", "/v1/reports/year-end?year=2025", None),
        {"owner", "manager", "accountant"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
async def test_role_matrix(api, runs, action: str, role: str) -> None:
    make_call, allowed = ACTIONS[action]
    target = await _leased(api, runs)
    method, path, body = make_call(target)
    response = await api.call(method, path, role=role, json=body)
    if role in allowed:
        assert response.status_code < 300, (action, role, response.text)
    else:
        assert response.status_code == 403, (action, role, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
