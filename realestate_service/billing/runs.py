"""The daily runs: rent generation and late fees, for every organization at once.

Both are set-based: a few queries read what every lease needs, the domain decides, one INSERT
(`ON CONFLICT DO NOTHING` on the charge's key) posts, one INSERT writes the events. Re-running
a day posts nothing: the keys (`rent:<YYYY-MM>`, `late_fee:<charge>:<day>:<n>`) already exist.
Afterwards the renters' credit is applied to the new charges, lease by lease (only the leases
that have credit). `*_one` are the same rules lease by lease (the bench's baseline).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.db import driver_connection
from fleetkit.events.outbox import outbox_rows
from fleetkit.ids import new_id
from realestate_service.billing.events import CHARGE_POSTED, PRODUCER
from realestate_service.billing.late_fees import (
    AllocationFacts,
    ChargeFacts,
    plan_fees,
    reconcile_fees,
)
from realestate_service.billing.models import Charge
from realestate_service.billing.service import apply_credit, post_charge
from realestate_service.buildings.models import Unit
from realestate_service.domain.proration import Proration
from realestate_service.domain.rent_schedule import charges_due
from realestate_service.leases.models import Lease, RentStep
from realestate_service.organization.models import LateFeePolicyRow
from realestate_service.organization.repository import most_specific, policy_for_lease, policy_of


@dataclass(frozen=True)
class NewCharge:
    tenant_id: str
    lease_id: uuid.UUID
    kind: str
    period: str | None
    dedupe_key: str
    amount: Decimal
    due_on: date
    memo: str = ""
    automatic: bool = False
    source_charge_id: uuid.UUID | None = None


INSERT_CHARGES = """
INSERT INTO charges (id, tenant_id, lease_id, kind, period, dedupe_key, amount, due_on,
                     posted_on, memo, automatic, source_charge_id)
SELECT x.id, x.tenant_id, x.lease_id, x.kind, x.period, x.dedupe_key, x.amount, x.due_on,
       $12, x.memo, x.automatic, x.source_charge_id
FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[],
            $7::numeric[], $8::date[], $9::text[], $10::boolean[], $11::uuid[])
     AS x(id, tenant_id, lease_id, kind, period, dedupe_key, amount, due_on, memo, automatic,
          source_charge_id)
ON CONFLICT ON CONSTRAINT uq_charges_lease_key DO NOTHING
RETURNING id, tenant_id, lease_id, kind, period, amount, due_on, automatic
"""
INSERT_EVENTS = """
INSERT INTO outbox (id, stream, type, envelope)
SELECT o.id, $1, o.type, o.envelope::jsonb
FROM unnest($2::uuid[], $3::text[], $4::text[]) AS o(id, type, envelope)
"""
LEASES_WITH_CREDIT = """
SELECT DISTINCT p.lease_id FROM payments p
WHERE p.lease_id = ANY($1::uuid[])
  AND NOT EXISTS (SELECT 1 FROM payment_reversals r WHERE r.payment_id = p.id)
  AND p.amount > coalesce((SELECT sum(a.amount) FROM allocations a WHERE a.payment_id = p.id), 0)
"""


async def insert_charges(session: AsyncSession, charges: list[NewCharge], on: date) -> int:
    """Post many charges at once (existing keys are skipped), with their events; then apply
    credit on the leases that have some. Returns how many were posted."""
    if not charges:
        return 0
    conn = await driver_connection(session)
    rows = await conn.fetch(
        INSERT_CHARGES,
        [new_id() for _ in charges],
        [c.tenant_id for c in charges],
        [c.lease_id for c in charges],
        [c.kind for c in charges],
        [c.period for c in charges],
        [c.dedupe_key for c in charges],
        [c.amount for c in charges],
        [c.due_on for c in charges],
        [c.memo for c in charges],
        [c.automatic for c in charges],
        [c.source_charge_id for c in charges],
        on,
    )
    if not rows:
        return 0
    stream, ids, types, envelopes = outbox_rows(
        PRODUCER, [(CHARGE_POSTED, _payload(row), row["tenant_id"]) for row in rows]
    )
    await conn.execute(INSERT_EVENTS, stream, ids, types, envelopes)
    leases = list({row["lease_id"] for row in rows})
    for (lease_id,) in await conn.fetch(LEASES_WITH_CREDIT, leases):
        lease = await session.get(Lease, lease_id, with_for_update=True)
        if lease is not None:
            await apply_credit(session, lease, on)
    return len(rows)


def _payload(row: Any) -> dict[str, Any]:
    return {
        "charge_id": str(row["id"]),
        "lease_id": str(row["lease_id"]),
        "kind": row["kind"],
        "period": row["period"],
        "amount": str(row["amount"]),
        "due_on": row["due_on"].isoformat(),
        "automatic": row["automatic"],
    }


BILLABLE_LEASES = """
SELECT l.id, l.tenant_id, l.start_on, coalesce(l.moved_out_on, l.end_on) AS last_day,
       l.due_day, l.proration,
       (SELECT max(c.period) FROM charges c WHERE c.lease_id = l.id AND c.kind = 'rent') AS billed
FROM leases l
WHERE l.status <> 'draft' AND l.start_on <= $1
"""
STEPS_OF = "SELECT lease_id, effective_on, amount FROM rent_steps WHERE lease_id = ANY($1::uuid[])"


async def generate_rent(session: AsyncSession, as_of: date) -> int:
    """Post every lease's rent charges due by `as_of` (all organizations); returns the count."""
    conn = await driver_connection(session)
    leases = await conn.fetch(BILLABLE_LEASES, as_of)
    steps: dict[uuid.UUID, list[tuple[date, Decimal]]] = defaultdict(list)
    for row in await conn.fetch(STEPS_OF, [lease["id"] for lease in leases]):
        steps[row["lease_id"]].append((row["effective_on"], row["amount"]))
    wanted = [
        NewCharge(
            lease["tenant_id"],
            lease["id"],
            "rent",
            c.period,
            f"rent:{c.period}",
            c.amount,
            c.due_on,
        )
        for lease in leases
        for c in charges_due(
            steps[lease["id"]],
            Proration(lease["proration"]),
            lease["due_day"],
            lease["start_on"],
            lease["last_day"],
            as_of,
            lease["billed"],
        )
    ]
    return await insert_charges(session, wanted, as_of)


async def generate_rent_one(session: AsyncSession, lease: Lease, as_of: date) -> int:
    """The same rule for one (locked) lease, charge by charge."""
    if lease.status == "draft" or lease.start_on > as_of:
        return 0
    billed = (
        await session.execute(
            select(func.max(Charge.period)).where(
                Charge.lease_id == lease.id, Charge.kind == "rent"
            )
        )
    ).scalar_one_or_none()
    steps = (
        await session.execute(
            select(RentStep.effective_on, RentStep.amount).where(RentStep.lease_id == lease.id)
        )
    ).all()
    posted = 0
    for c in charges_due(
        [(s.effective_on, s.amount) for s in steps],
        Proration(lease.proration),
        lease.due_day,
        lease.start_on,
        lease.last_day,
        as_of,
        billed,
    ):
        made = await post_charge(
            session,
            lease,
            kind="rent",
            amount=c.amount,
            due_on=c.due_on,
            posted_on=as_of,
            dedupe_key=f"rent:{c.period}",
            period=c.period,
        )
        posted += made is not None
    if posted:
        await apply_credit(session, lease, as_of)
    return posted


# Leases with something open that is due: a charge that may earn fees, or an automatic fee
# that a payment committed during the last run may have made unnecessary.
LEASES_OWING = """
SELECT DISTINCT c.lease_id FROM charges c
WHERE c.due_on <= $1 AND (c.kind NOT IN ('late_fee', 'nsf_fee') OR c.automatic)
  AND c.amount > coalesce((SELECT sum(a.amount) FROM allocations a WHERE a.charge_id = c.id), 0)
"""
WAITING_CREDIT = """
SELECT DISTINCT p.lease_id FROM payments p
WHERE NOT EXISTS (SELECT 1 FROM payment_reversals r WHERE r.payment_id = p.id)
  AND p.amount > coalesce((SELECT sum(a.amount) FROM allocations a WHERE a.payment_id = p.id), 0)
  AND EXISTS (SELECT 1 FROM charges c WHERE c.lease_id = p.lease_id
              AND c.amount > coalesce((SELECT sum(a.amount) FROM allocations a
                                       WHERE a.charge_id = c.id), 0))
"""


async def apply_waiting_credit(session: AsyncSession, on: date) -> int:
    """Apply credit left next to open charges (a payment that committed while a run was
    posting the charge it could have paid); returns how many leases had some."""
    conn = await driver_connection(session)
    leases = [row["lease_id"] for row in await conn.fetch(WAITING_CREDIT)]
    for lease_id in leases:
        lease = await session.get(Lease, lease_id, with_for_update=True)
        if lease is not None:
            await apply_credit(session, lease, on)
    return len(leases)


CHARGES_OF = """
SELECT c.id, c.lease_id, c.kind, c.amount, c.due_on, c.period, c.automatic, c.source_charge_id
FROM charges c WHERE c.lease_id = ANY($1::uuid[])
"""
ALLOCATIONS_OF = """
SELECT a.lease_id, a.charge_id, a.payment_id, a.amount, a.effective_on
FROM allocations a WHERE a.lease_id = ANY($1::uuid[])
"""
BOUNCED_OF = "SELECT payment_id FROM payment_reversals WHERE lease_id = ANY($1::uuid[])"
CANCELLED_OF = """
SELECT charge_id FROM adjustments
WHERE lease_id = ANY($1::uuid[]) AND kind IN ('void', 'fee_reversal')
"""
LEASE_PLACES = """
SELECT l.id, l.tenant_id, u.building_id FROM leases l JOIN units u ON u.id = l.unit_id
WHERE l.id = ANY($1::uuid[])
"""


async def run_late_fees(session: AsyncSession, as_of: date) -> tuple[int, int]:
    """Post the late fees due by `as_of` on every owing lease (all organizations), and reverse
    the automatic fees no longer wanted; returns (posted, reversed)."""
    conn = await driver_connection(session)
    owing = [row["lease_id"] for row in await conn.fetch(LEASES_OWING, as_of)]
    if not owing:
        return 0, 0
    places = await conn.fetch(LEASE_PLACES, owing)
    tenants = list({row["tenant_id"] for row in places})
    rows = (
        await session.execute(
            select(LateFeePolicyRow).where(LateFeePolicyRow.tenant_id.in_(tenants))
        )
    ).scalars()
    policies_by_tenant: dict[str, list[LateFeePolicyRow]] = defaultdict(list)
    for policy_row in rows:
        policies_by_tenant[policy_row.tenant_id].append(policy_row)
    governed = {}
    for row in places:
        chosen = most_specific(policies_by_tenant[row["tenant_id"]], row["id"], row["building_id"])
        if chosen is not None:
            governed[row["id"]] = (row["tenant_id"], policy_of(chosen))
    if not governed:
        return 0, 0
    ids = list(governed)
    charges: dict[uuid.UUID, list[ChargeFacts]] = defaultdict(list)
    for r in await conn.fetch(CHARGES_OF, ids):
        charges[r["lease_id"]].append(
            ChargeFacts(
                r["id"],
                r["kind"],
                r["amount"],
                r["due_on"],
                r["period"],
                r["automatic"],
                r["source_charge_id"],
            )
        )
    allocations: dict[uuid.UUID, list[AllocationFacts]] = defaultdict(list)
    for r in await conn.fetch(ALLOCATIONS_OF, ids):
        allocations[r["lease_id"]].append(
            AllocationFacts(r["charge_id"], r["payment_id"], r["amount"], r["effective_on"])
        )
    bounced = {r["payment_id"] for r in await conn.fetch(BOUNCED_OF, ids)}
    cancelled = {r["charge_id"] for r in await conn.fetch(CANCELLED_OF, ids)}
    wanted: list[NewCharge] = []
    reversing: list[uuid.UUID] = []
    for lease_id, (tenant_id, policy) in governed.items():
        plan = plan_fees(
            policy, charges[lease_id], bounced, cancelled, allocations[lease_id], as_of
        )
        wanted.extend(
            NewCharge(
                tenant_id,
                lease_id,
                "late_fee",
                fee.charge.period,
                fee.dedupe_key,
                fee.amount,
                fee.day,
                f"late fee on {fee.charge.kind} due {fee.charge.due_on}",
                True,
                fee.charge.id,
            )
            for fee in plan.to_post
        )
        if plan.to_reverse:
            reversing.append(lease_id)
    reversed_count = 0
    for lease_id in reversing:  # rare: a payment dated in time, entered after the fee
        lease = await session.get(Lease, lease_id, with_for_update=True)
        assert lease is not None
        unit = await session.get(Unit, lease.unit_id)
        assert unit is not None
        governing = await policy_for_lease(session, lease.tenant_id, lease.id, unit.building_id)
        if governing is not None:
            done = await reconcile_fees(session, lease, governing, as_of, post=False)
            reversed_count += done[1]
    return await insert_charges(session, wanted, as_of), reversed_count


async def late_fees_one(session: AsyncSession, lease: Lease, as_of: date) -> tuple[int, int]:
    """The same run for one (locked) lease, fee by fee."""
    unit = await session.get(Unit, lease.unit_id)
    assert unit is not None
    policy = await policy_for_lease(session, lease.tenant_id, lease.id, unit.building_id)
    if policy is None:
        return 0, 0
    return await reconcile_fees(session, lease, policy, as_of)
