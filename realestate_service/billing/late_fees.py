"""Late fees of a lease: post what the policy wants, reverse what it no longer wants.

The fee of a charge's day is keyed `late_fee:<charge>:<day>:<n>` (n counts earlier, reversed
fees of the same day), so a run that is repeated posts nothing new. `plan_fees` works on plain
facts, so the per-lease path (ORM rows) and the bulk run (raw rows) share it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from realestate_service.billing import repository
from realestate_service.billing.models import Charge
from realestate_service.billing.service import adjust_charge, post_charge
from realestate_service.domain.allocation import FEE_KINDS
from realestate_service.domain.late_fees import (
    ChargeTimeline,
    LateFeePolicy,
    expected_fees,
    reconcile,
)
from realestate_service.leases.models import Lease

UNNECESSARY = "made unnecessary by a payment received in time"


@dataclass(frozen=True)
class ChargeFacts:
    id: uuid.UUID
    kind: str
    amount: Decimal
    due_on: date
    period: str | None
    automatic: bool
    source_charge_id: uuid.UUID | None


@dataclass(frozen=True)
class AllocationFacts:
    charge_id: uuid.UUID
    payment_id: uuid.UUID | None
    amount: Decimal
    effective_on: date


@dataclass(frozen=True)
class FeeToPost:
    charge: ChargeFacts
    day: date
    amount: Decimal
    dedupe_key: str


@dataclass(frozen=True)
class FeePlan:
    to_post: list[FeeToPost]
    to_reverse: list[uuid.UUID]


def charge_facts(charge: Charge) -> ChargeFacts:
    return ChargeFacts(
        charge.id,
        charge.kind,
        charge.amount,
        charge.due_on,
        charge.period,
        charge.automatic,
        charge.source_charge_id,
    )


def plan_fees(
    policy: LateFeePolicy,
    charges: Iterable[ChargeFacts],
    bounced_payments: set[uuid.UUID],
    cancelled_charges: set[uuid.UUID],
    allocations: Iterable[AllocationFacts],
    through: date,
) -> FeePlan:
    """What a run through `through` should change on one lease's fees (no I/O)."""
    charges = list(charges)
    reductions: dict[uuid.UUID, list[tuple[date, Decimal]]] = defaultdict(list)
    for allocation in allocations:
        if allocation.payment_id is None or allocation.payment_id not in bounced_payments:
            reductions[allocation.charge_id].append((allocation.effective_on, allocation.amount))
    fees_of: dict[uuid.UUID, list[ChargeFacts]] = defaultdict(list)
    for charge in charges:
        if charge.automatic and charge.kind == "late_fee" and charge.source_charge_id:
            fees_of[charge.source_charge_id].append(charge)
    to_post: list[FeeToPost] = []
    to_reverse: list[uuid.UUID] = []
    for charge in charges:
        if charge.kind in FEE_KINDS:
            continue
        # A run for an earlier day (a late retry) judges only the fees up to that day.
        in_force = {
            f.due_on: f
            for f in fees_of[charge.id]
            if f.id not in cancelled_charges and f.due_on <= through
        }
        wanted: list[tuple[date, Decimal]] = []
        if charge.id not in cancelled_charges:
            timeline = ChargeTimeline(
                charge.kind, charge.amount, charge.due_on, tuple(reductions[charge.id])
            )
            wanted = expected_fees(policy, timeline, through)
        change = reconcile(wanted, in_force)
        for day, amount in change.to_post:
            earlier = sum(1 for f in fees_of[charge.id] if f.due_on == day)
            key = f"late_fee:{charge.id}:{day}:{earlier}"
            to_post.append(FeeToPost(charge, day, amount, key))
        to_reverse.extend(in_force[day].id for day in change.to_reverse)
    return FeePlan(to_post, to_reverse)


async def reconcile_fees(
    session: AsyncSession,
    lease: Lease,
    policy: LateFeePolicy,
    through: date,
    *,
    post: bool = True,
) -> tuple[int, int]:
    """Apply the plan to a locked lease; returns (fees posted, fees reversed).

    `post=False` (when a payment is entered) only reverses the fees it made unnecessary.
    """
    charges, _, reversals, adjustments, allocations = await repository.lease_rows(session, lease.id)
    plan = plan_fees(
        policy,
        [charge_facts(c) for c in charges],
        {r.payment_id for r in reversals},
        {a.charge_id for a in adjustments if a.kind in ("void", "fee_reversal")},
        [AllocationFacts(a.charge_id, a.payment_id, a.amount, a.effective_on) for a in allocations],
        through,
    )
    by_id = {c.id: c for c in charges}
    for fee_id in plan.to_reverse:
        await adjust_charge(
            session, lease, by_id[fee_id], kind="fee_reversal", reason=UNNECESSARY, on=through
        )
    posted = 0
    if post:
        for fee in plan.to_post:
            made = await post_charge(
                session,
                lease,
                kind="late_fee",
                amount=fee.amount,
                due_on=fee.day,
                posted_on=through,
                dedupe_key=fee.dedupe_key,
                period=fee.charge.period,
                memo=f"late fee on {fee.charge.kind} due {fee.charge.due_on}",
                automatic=True,
                source_charge_id=fee.charge.id,
            )
            posted += made is not None
    return posted, len(plan.to_reverse)
