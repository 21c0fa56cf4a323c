"""Reports of one organization: rent roll, delinquency aging, cash flow, Schedule E.

Receivables and credits are the books as they stood at the end of `as_of` (charges posted,
allocations booked, payments received and not reversed by then), aged at `as_of` (a charge due
after it is not yet due). Cash flow and Schedule E read dated rows of one year.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from realestate_service.domain.aging import BUCKETS, age
from realestate_service.domain.money import ZERO
from realestate_service.domain.rent_schedule import rent_on
from realestate_service.domain.schedule_e import EXPENSE_LINES
from realestate_service.reports import queries


async def _rows(session: AsyncSession, sql: str, **params: Any) -> list[Any]:
    return list((await session.execute(text(sql), params)).mappings())


def _occupies(lease: Any, day: date) -> bool:
    last = lease["moved_out_on"] or lease["end_on"]
    return lease["status"] != "draft" and lease["start_on"] <= day and (last is None or day <= last)


async def _receivables(
    session: AsyncSession, tenant: str, as_of: date
) -> tuple[dict[uuid.UUID, list[tuple[date, Decimal]]], dict[uuid.UUID, Decimal]]:
    """Open charges and credits per lease, as the books stood at the end of `as_of`."""
    open_by_lease: dict[uuid.UUID, list[tuple[date, Decimal]]] = defaultdict(list)
    for row in await _rows(session, queries.OPEN_CHARGES, tenant=tenant, as_of=as_of):
        open_by_lease[row["lease_id"]].append((row["due_on"], row["open"]))
    credits = {
        row["lease_id"]: row["credit"]
        for row in await _rows(session, queries.CREDITS, tenant=tenant, as_of=as_of)
    }
    return open_by_lease, credits


async def rent_roll(session: AsyncSession, tenant: str, as_of: date) -> list[dict[str, Any]]:
    """Every unit with the lease occupying it on `as_of`, its rent, deposit and balance."""
    leases = await _rows(session, queries.LEASES, tenant=tenant)
    steps: dict[uuid.UUID, list[tuple[date, Decimal]]] = defaultdict(list)
    for row in await _rows(session, queries.STEPS, tenant=tenant):
        steps[row["lease_id"]].append((row["effective_on"], row["amount"]))
    held = {
        r["lease_id"]: r["held"] for r in await _rows(session, queries.DEPOSITS_HELD, tenant=tenant)
    }
    open_by_lease, credits = await _receivables(session, tenant, as_of)
    occupying = {lease["unit_id"]: lease for lease in leases if _occupies(lease, as_of)}
    roll = []
    for unit in await _rows(session, queries.UNITS, tenant=tenant):
        lease = occupying.get(unit["unit_id"])
        entry: dict[str, Any] = {
            "building": unit["building"],
            "unit": unit["label"],
            "unit_id": str(unit["unit_id"]),
            "status": "occupied" if lease else "vacant",
            "market_rent": unit["market_rent"],
            "lease_id": None,
            "tenant": None,
            "rent": None,
            "lease_start": None,
            "lease_end": None,
            "deposit_held": None,
            "balance": None,
        }
        if lease is not None:
            receivable = sum((a for _, a in open_by_lease[lease["id"]]), ZERO)
            entry |= {
                "lease_id": str(lease["id"]),
                "tenant": lease["renter"],
                "rent": rent_on(steps[lease["id"]], as_of),
                "lease_start": lease["start_on"],
                "lease_end": lease["moved_out_on"] or lease["end_on"],
                "deposit_held": held.get(lease["id"], ZERO),
                "balance": receivable - credits.get(lease["id"], ZERO),
            }
        roll.append(entry)
    return roll


async def delinquency(session: AsyncSession, tenant: str, as_of: date) -> dict[str, Any]:
    """Per lease: open charges by days past due on `as_of`, credits apart; and the totals.
    Each lease's buckets add up to its net balance."""
    leases = {row["id"]: row for row in await _rows(session, queries.LEASES, tenant=tenant)}
    open_by_lease, credits = await _receivables(session, tenant, as_of)
    rows = []
    totals = dict.fromkeys((*BUCKETS, "credits", "net"), ZERO)
    for lease_id in sorted(set(open_by_lease) | set(credits), key=str):
        buckets = age(open_by_lease[lease_id], credits.get(lease_id, ZERO), as_of)
        net = sum(buckets.values(), ZERO)
        lease = leases[lease_id]
        rows.append(
            {
                "lease_id": str(lease_id),
                "building": lease["building"],
                "unit": lease["label"],
                "tenant": lease["renter"],
                **buckets,
                "net": net,
            }
        )
        for key, value in (*buckets.items(), ("net", net)):
            totals[key] += value
    return {"as_of": as_of, "leases": rows, "totals": totals}


def _month(day: date) -> str:
    return f"{day:%Y-%m}"


async def cash_flow(session: AsyncSession, tenant: str, year: int, basis: str) -> dict[str, Any]:
    """Monthly income, expenses and net for `year`.

    Cash: payments received (deposits when applied), minus reversed payments, plus forfeited
    deposits; expenses when paid. Accrual: charges when due, minus voids, waivers and fee
    reversals; expenses when paid, plus write-offs (bad debt).
    """
    span = {"tenant": tenant, "first": date(year, 1, 1), "last": date(year, 12, 31)}
    income: dict[str, Decimal] = defaultdict(lambda: ZERO)
    spent: dict[str, Decimal] = defaultdict(lambda: ZERO)
    if basis == "cash":
        for r in await _rows(session, queries.CASH_IN, **span):
            income[_month(r["on"])] += r["amount"]
        for r in await _rows(session, queries.CASH_REVERSED, **span):
            income[_month(r["on"])] -= r["amount"]
        for r in await _rows(session, queries.FORFEITED, **span):
            income[_month(r["on"])] += r["amount"]
    else:
        for r in await _rows(session, queries.CHARGED, **span):
            income[_month(r["on"])] += r["amount"]
        for r in await _rows(session, queries.ADJUSTED, **span):
            if r["kind"] == "write_off":
                spent[_month(r["on"])] += r["amount"]
            else:
                income[_month(r["on"])] -= r["amount"]
    for r in await _rows(session, queries.EXPENSES, **span):
        spent[_month(r["on"])] += r["amount"]
    months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    rows = [
        {"month": m, "income": income[m], "expenses": spent[m], "net": income[m] - spent[m]}
        for m in months
    ]
    total_in, total_out = sum(income.values(), ZERO), sum(spent.values(), ZERO)
    return {
        "year": year,
        "basis": basis,
        "months": rows,
        "totals": {"income": total_in, "expenses": total_out, "net": total_in - total_out},
    }


async def schedule_e(session: AsyncSession, tenant: str, year: int) -> list[dict[str, Any]]:
    """Per building (property): line 3 rents received (cash basis), lines 5 to 19, line 20
    total expenses, line 21 income or loss. Also each building's profitability."""
    span = {"tenant": tenant, "first": date(year, 1, 1), "last": date(year, 12, 31)}
    rents: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    for r in await _rows(session, queries.CASH_IN, **span):
        rents[r["building_id"]] += r["amount"]
    for r in await _rows(session, queries.CASH_REVERSED, **span):
        rents[r["building_id"]] -= r["amount"]
    for r in await _rows(session, queries.FORFEITED, **span):
        rents[r["building_id"]] += r["amount"]
    lines: dict[uuid.UUID, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for r in await _rows(session, queries.EXPENSES, **span):
        lines[r["building_id"]][r["schedule_e_line"]] += r["amount"]
    properties = []
    for building in await _rows(session, queries.BUILDINGS, tenant=tenant):
        own = lines[building["id"]]
        total = sum(own.values(), ZERO)
        properties.append(
            {
                "building_id": str(building["id"]),
                "property": building["name"],
                "address": building["address"],
                "line_3_rents_received": rents[building["id"]],
                **{
                    f"line_{n}_{name.lower().replace(' ', '_').replace(',', '').replace('.', '')}":
                    own[n]
                    for n, name in EXPENSE_LINES.items()
                },
                "line_20_total_expenses": total,
                "line_21_income_or_loss": rents[building["id"]] - total,
            }
        )  # fmt: skip
    return properties
