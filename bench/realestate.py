"""Real estate: the daily rent generation and late-fee runs for 50,000 leases, each against a
row-by-row baseline measured in the same run.

Fresh database `bench_realestate`, five organizations, 50,000 active leases (rent between 900
and 2,400, due on the 1st) and one late-fee policy per organization (grace 5, 50 then 10 a
day). Timed: the set-based runs as the worker runs them (`generate_rent` for 2025-01-01: one
charge per lease; `run_late_fees` for 2025-01-07: one fee per lease, nothing being paid), each
in one transaction. Then the charges are emptied and the baseline runs the same rules lease by
lease, one transaction per lease (`generate_rent_one`, `late_fees_one`), on the first
`BENCH_BASELINE_LEASES` leases (default 2,000: it is linear, and 50,000 would take half an
hour on a busy machine);
the ratio compares time per lease. Both must post the same charges on those leases.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from fleetkit.db import driver_connection, make_sessionmaker
from fleetkit.ids import new_id
from fleetkit.testing.plugin import migrate, recreate_database
from realestate_service.billing.runs import (
    generate_rent,
    generate_rent_one,
    late_fees_one,
    run_late_fees,
)
from realestate_service.leases.models import Lease

LEASES = int(os.environ.get("BENCH_LEASES", "50000"))
BASELINE = int(os.environ.get("BENCH_BASELINE_LEASES", "2000"))
ORGS, UNITS_PER_BUILDING = 5, 50
RENT_DAY, FEE_DAY = date(2025, 1, 1), date(2025, 1, 7)


async def seed(engine: AsyncEngine) -> list[uuid.UUID]:
    """Organizations, buildings, units, renters, active leases, rent steps, policies."""
    rng = random.Random(6)
    orgs = [f"org-{n}" for n in range(ORGS)]
    buildings, units, renters, leases, steps = [], [], [], [], []
    for n in range(LEASES):
        org = orgs[n % ORGS]
        if n % UNITS_PER_BUILDING < ORGS:
            buildings.append((new_id(), org))
        building = next(b for b in reversed(buildings) if b[1] == org)
        unit, renter, lease = new_id(), new_id(), new_id()
        units.append((unit, org, building[0], f"U{n}"))
        renters.append((renter, org, f"Renter {n}"))
        leases.append((lease, org, unit, renter))
        steps.append((lease, org, Decimal(rng.randrange(900, 2400))))
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        conn = await driver_connection(session)
        await conn.executemany(
            "INSERT INTO buildings (id, tenant_id, name) VALUES ($1, $2, 'Bench')", buildings
        )
        await conn.executemany(
            "INSERT INTO units (id, tenant_id, building_id, label) VALUES ($1, $2, $3, $4)", units
        )
        await conn.executemany(
            "INSERT INTO renters (id, tenant_id, name) VALUES ($1, $2, $3)", renters
        )
        await conn.executemany(
            "INSERT INTO leases (id, tenant_id, unit_id, renter_id, status, start_on, due_day,"
            " proration) VALUES ($1, $2, $3, $4, 'active', '2025-01-01', 1, 'actual_days')",
            leases,
        )
        await conn.executemany(
            "INSERT INTO rent_steps (lease_id, tenant_id, effective_on, amount)"
            " VALUES ($1, $2, '2025-01-01', $3)",
            steps,
        )
        await conn.executemany(
            "INSERT INTO late_fee_policies (id, tenant_id, scope, grace_days, initial_kind,"
            " initial_amount, recurrence, recurring_amount, cap_per_charge, minimum_outstanding,"
            " applies_to) VALUES ($1, $2, 'organization', 5, 'flat', 50, 'daily', 10, 150, 25,"
            " '{rent}')",
            [(new_id(), org) for org in orgs],
        )
    return [lease[0] for lease in leases]


async def charges_of(engine: AsyncEngine, leases: list[uuid.UUID]) -> list[tuple[object, ...]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT lease_id, kind, period, amount, due_on FROM charges"
                " WHERE lease_id = ANY(:ids) ORDER BY lease_id, kind, due_on"
            ),
            {"ids": leases},
        )
        return [tuple(row) for row in rows]


async def set_based(engine: AsyncEngine) -> tuple[float, float, int, int]:
    sessionmaker = make_sessionmaker(engine)
    started = time.perf_counter()
    async with sessionmaker() as session, session.begin():
        rent = await generate_rent(session, RENT_DAY)
    rent_seconds = time.perf_counter() - started
    started = time.perf_counter()
    async with sessionmaker() as session, session.begin():
        fees, _ = await run_late_fees(session, FEE_DAY)
    return rent_seconds, time.perf_counter() - started, rent, fees


async def row_by_row(engine: AsyncEngine, leases: list[uuid.UUID]) -> tuple[float, float, int, int]:
    sessionmaker = make_sessionmaker(engine)
    rent = fees = 0
    started = time.perf_counter()
    for lease_id in leases:
        async with sessionmaker() as session, session.begin():
            lease = await session.get(Lease, lease_id, with_for_update=True)
            assert lease is not None
            rent += await generate_rent_one(session, lease, RENT_DAY)
    rent_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for lease_id in leases:
        async with sessionmaker() as session, session.begin():
            lease = await session.get(Lease, lease_id, with_for_update=True)
            assert lease is not None
            fees += (await late_fees_one(session, lease, FEE_DAY))[0]
    return rent_seconds, time.perf_counter() - started, rent, fees


async def run() -> int:
    url = recreate_database("bench_realestate")
    migrate("realestate_service", url)
    engine = create_async_engine(url.replace("+psycopg", "+asyncpg"))
    try:
        leases = await seed(engine)
        sample = leases[:BASELINE]
        fast_rent, fast_fees, rent, fees = await set_based(engine)
        again = await set_based(engine)  # re-running the day posts nothing
        fast_result = await charges_of(engine, sample)
        async with engine.begin() as conn:
            await conn.execute(text("TRUNCATE charges, allocations, outbox CASCADE"))
        slow_rent, slow_fees, rent_one, fees_one = await row_by_row(engine, sample)
        slow_result = await charges_of(engine, sample)
    finally:
        await engine.dispose()
    per = {
        "rent": (fast_rent / LEASES, slow_rent / len(sample)),
        "fees": (fast_fees / LEASES, slow_fees / len(sample)),
    }
    print(f"\nrealestate ({os.cpu_count()} cores, {LEASES} leases, baseline on {len(sample)})")
    for name, total, count, (fast, slow) in (
        ("rent run", fast_rent, rent, per["rent"]),
        ("late fees", fast_fees, fees, per["fees"]),
    ):
        print(
            f"  {name:<10} set-based {total:7.2f} s for {count} charges "
            f"({1 / fast:9.0f} leases/s)   row by row {1 / slow:7.0f} leases/s   "
            f"x {slow / fast:5.1f}"
        )
    print(f"  re-run posts {again[2]} rent charges and {again[3]} fees (must be 0 and 0)")
    same = fast_result == slow_result
    print(f"  same charges on the baseline's leases: {same} ({rent_one} rent, {fees_one} fees)")
    return 0 if same and again[2:] == (0, 0) else 1


def main() -> int:
    """Seed, time both ways, print; exit 1 when the two ways disagree."""
    return asyncio.run(run())
