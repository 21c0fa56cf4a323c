"""Per-building reports: profitability for a year and the owner statement for a period.

Profitability: income on the chosen basis (see `service.cash_flow`), expenses when paid (plus
write-offs on accrual), net, and net per unit. Owner statement, for `first`..`last`: cash in
(rent received net of reversals, forfeited deposits), expenses by Schedule E line, net cash to
the owner; and at `last`, what renters still owe and the deposits held (money that is not the
owner's).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from realestate_service.domain.money import ZERO
from realestate_service.domain.schedule_e import EXPENSE_LINES
from realestate_service.reports import queries


async def _rows(session: AsyncSession, sql: str, **params: Any) -> list[Any]:
    return list((await session.execute(text(sql), params)).mappings())


async def _income_and_costs(
    session: AsyncSession, span: dict[str, Any], basis: str
) -> tuple[dict[uuid.UUID, Decimal], dict[uuid.UUID, dict[int | str, Decimal]]]:
    income: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    costs: dict[uuid.UUID, dict[int | str, Decimal]] = defaultdict(
        lambda: defaultdict(lambda: ZERO)
    )
    if basis == "cash":
        for r in await _rows(session, queries.CASH_IN, **span):
            income[r["building_id"]] += r["amount"]
        for r in await _rows(session, queries.CASH_REVERSED, **span):
            income[r["building_id"]] -= r["amount"]
        for r in await _rows(session, queries.FORFEITED, **span):
            income[r["building_id"]] += r["amount"]
    else:
        for r in await _rows(session, queries.CHARGED, **span):
            income[r["building_id"]] += r["amount"]
        for r in await _rows(session, queries.ADJUSTED, **span):
            if r["kind"] == "write_off":
                costs[r["building_id"]]["bad_debt"] += r["amount"]
            else:
                income[r["building_id"]] -= r["amount"]
    for r in await _rows(session, queries.EXPENSES, **span):
        costs[r["building_id"]][r["schedule_e_line"]] += r["amount"]
    return income, costs


async def profitability(
    session: AsyncSession, tenant: str, year: int, basis: str
) -> list[dict[str, Any]]:
    """Per building: income, expenses, net and net per unit for `year`."""
    span = {"tenant": tenant, "first": date(year, 1, 1), "last": date(year, 12, 31)}
    income, costs = await _income_and_costs(session, span, basis)
    units = {
        r["building_id"]: r["n"]
        for r in await _rows(session, queries.UNITS_PER_BUILDING, tenant=tenant)
    }
    found = []
    for building in await _rows(session, queries.BUILDINGS, tenant=tenant):
        spent = sum(costs[building["id"]].values(), ZERO)
        net = income[building["id"]] - spent
        count = units.get(building["id"], 0)
        found.append(
            {
                "building_id": building["id"],
                "building": building["name"],
                "units": count,
                "income": income[building["id"]],
                "expenses": spent,
                "net": net,
                "net_per_unit": (net / count).quantize(Decimal("0.01")) if count else None,
            }
        )
    return found


async def owner_statement(
    session: AsyncSession, tenant: str, first: date, last: date
) -> dict[str, Any]:
    """Cash in, expenses by line and net per building for the period; owed and held at `last`."""
    span = {"tenant": tenant, "first": first, "last": last}
    income, costs = await _income_and_costs(session, span, "cash")
    owed = {
        r["building_id"]: r["owed"]
        for r in await _rows(session, queries.OWED_PER_BUILDING, tenant=tenant, as_of=last)
    }
    held = {
        r["building_id"]: r["held"]
        for r in await _rows(session, queries.HELD_PER_BUILDING, tenant=tenant)
    }
    buildings = []
    for building in await _rows(session, queries.BUILDINGS, tenant=tenant):
        own = costs[building["id"]]
        spent = sum(own.values(), ZERO)
        buildings.append(
            {
                "building_id": building["id"],
                "building": building["name"],
                "cash_in": income[building["id"]],
                "expenses": [
                    {"line": n, "category": EXPENSE_LINES[n], "amount": own[n]}
                    for n in sorted(k for k in own if isinstance(k, int))
                ],
                "total_expenses": spent,
                "net_to_owner": income[building["id"]] - spent,
                "owed_by_renters": owed.get(building["id"], ZERO),
                "deposits_held": held.get(building["id"], ZERO),
            }
        )
    total_in = sum((b["cash_in"] for b in buildings), ZERO)
    total_out = sum((b["total_expenses"] for b in buildings), ZERO)
    return {
        "from": first,
        "to": last,
        "buildings": buildings,
        "totals": {
            "cash_in": total_in,
            "expenses": total_out,
            "net_to_owner": total_in - total_out,
        },
    }
