"""Renters and leases: the lease lifecycle draft → active → ended | terminated | renewed."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.ids import new_id
from fleetkit.policy import Principal
from fleetkit.problems import ProblemError, not_found
from realestate_service.audit.service import audit
from realestate_service.billing.models import Adjustment, Charge
from realestate_service.billing.service import adjust_charge, locked_lease, post_charge
from realestate_service.buildings.models import Unit
from realestate_service.buildings.service import unit_of
from realestate_service.domain.proration import Proration, month_charge
from realestate_service.domain.rent_schedule import rent_on
from realestate_service.leases import events
from realestate_service.leases.models import Lease, Renter, RentStep
from realestate_service.leases.schemas import (
    LeaseCreate,
    LeasePublic,
    LeaseRenewal,
    RenterCreate,
    RentStepIn,
    RentStepOut,
)
from realestate_service.wire import dollars


async def lease_public(session: AsyncSession, lease: Lease) -> LeasePublic:
    steps = (
        await session.execute(
            select(RentStep).where(RentStep.lease_id == lease.id).order_by(RentStep.effective_on)
        )
    ).scalars()
    return LeasePublic(
        id=lease.id,
        unit_id=lease.unit_id,
        tenant_id=lease.renter_id,
        status=lease.status,
        start_on=lease.start_on,
        end_on=lease.end_on,
        moved_out_on=lease.moved_out_on,
        due_day=lease.due_day,
        proration=lease.proration,
        deposit_amount=lease.deposit_amount,
        renewal_of=lease.renewal_of,
        rent=[RentStepOut(effective_on=s.effective_on, amount=s.amount) for s in steps],
    )


async def create_renter(session: AsyncSession, tenant_id: str, body: RenterCreate) -> Renter:
    renter = Renter(
        id=new_id(), tenant_id=tenant_id, name=body.name, email=body.email, phone=body.phone
    )
    session.add(renter)
    await session.flush()
    return renter


async def renter_of(session: AsyncSession, tenant_id: str, renter_id: uuid.UUID) -> Renter:
    query = select(Renter).where(Renter.id == renter_id, Renter.tenant_id == tenant_id)
    renter = (await session.execute(query)).scalar_one_or_none()
    if renter is None:
        raise not_found("tenant")
    return renter


async def lease_of(session: AsyncSession, tenant_id: str, lease_id: uuid.UUID) -> Lease:
    query = select(Lease).where(Lease.id == lease_id, Lease.tenant_id == tenant_id)
    lease = (await session.execute(query)).scalar_one_or_none()
    if lease is None:
        raise not_found("lease")
    return lease


def _check_schedule(start_on: date, steps: list[RentStepIn]) -> None:
    days = [s.effective_on for s in steps]
    if len(set(days)) != len(days):
        raise ProblemError(422, "invalid-rent-schedule", "two rent steps share a date")
    if min(days) > start_on:
        raise ProblemError(
            422, "invalid-rent-schedule", "the first rent step must be effective on the start"
        )
    if any(dollars(s.amount) <= 0 for s in steps):
        raise ProblemError(422, "invalid-rent-schedule", "rent must be positive")


async def create_lease(session: AsyncSession, tenant_id: str, body: LeaseCreate) -> Lease:
    """A draft lease of the tenant's unit and renter, with its rent schedule."""
    await unit_of(session, tenant_id, body.unit_id)
    await renter_of(session, tenant_id, body.tenant_id)
    if body.end_on is not None and body.end_on < body.start_on:
        raise ProblemError(422, "invalid-lease-term", "end_on is before start_on")
    _check_schedule(body.start_on, body.rent)
    lease = Lease(
        id=new_id(),
        tenant_id=tenant_id,
        unit_id=body.unit_id,
        renter_id=body.tenant_id,
        status="draft",
        start_on=body.start_on,
        end_on=body.end_on,
        due_day=body.due_day,
        proration=body.proration.value,
        deposit_amount=dollars(body.deposit_amount),
    )
    session.add(lease)
    await session.flush()
    session.add_all(
        RentStep(
            lease_id=lease.id,
            tenant_id=tenant_id,
            effective_on=s.effective_on,
            amount=dollars(s.amount),
        )
        for s in body.rent
    )
    await session.flush()
    return lease


async def _refuse_overlap(session: AsyncSession, lease: Lease) -> None:
    """Lock the unit and refuse a term that overlaps another live lease of it."""
    await session.execute(select(Unit.id).where(Unit.id == lease.unit_id).with_for_update())
    last = Lease.moved_out_on
    ends_before_start = or_(
        and_(last.is_not(None), last < lease.start_on),
        and_(last.is_(None), Lease.end_on.is_not(None), Lease.end_on < lease.start_on),
    )
    query = select(Lease.id).where(
        Lease.unit_id == lease.unit_id,
        Lease.id != lease.id,
        Lease.status != "draft",
        ~ends_before_start,
    )
    if lease.last_day is not None:
        query = query.where(Lease.start_on <= lease.last_day)
    if (await session.execute(query.limit(1))).first() is not None:
        raise ProblemError(409, "unit-occupied", "another lease occupies the unit in that term")


async def activate(session: AsyncSession, tenant_id: str, lease_id: uuid.UUID) -> Lease:
    lease = await locked_lease(session, tenant_id, lease_id)
    if lease.status != "draft":
        raise ProblemError(
            409, "invalid-lease-transition", f"a {lease.status} lease is not a draft"
        )
    await _refuse_overlap(session, lease)
    lease.status = "active"
    events.lease_activated(session, lease)
    await session.flush()
    return lease


async def add_rent_step(
    session: AsyncSession, tenant_id: str, lease_id: uuid.UUID, step: RentStepIn
) -> Lease:
    lease = await locked_lease(session, tenant_id, lease_id)
    if lease.status not in ("draft", "active"):
        raise ProblemError(409, "invalid-lease-transition", f"the lease is {lease.status}")
    if step.effective_on < lease.start_on or dollars(step.amount) <= 0:
        raise ProblemError(422, "invalid-rent-schedule", "a step starts within the lease, > 0")
    session.add(
        RentStep(
            lease_id=lease.id,
            tenant_id=tenant_id,
            effective_on=step.effective_on,
            amount=dollars(step.amount),
        )
    )
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise ProblemError(409, "duplicate-rent-step", "a step exists on that date") from exc
    return lease


async def rebill_after_move_out(session: AsyncSession, lease: Lease, today: date) -> None:
    """Rent already billed past the move-out day is voided; the last month is prorated."""
    last = lease.last_day
    assert last is not None
    cancelled = select(Adjustment.charge_id).where(
        Adjustment.lease_id == lease.id, Adjustment.kind.in_(("void", "fee_reversal"))
    )
    rents = (
        await session.execute(
            select(Charge).where(
                Charge.lease_id == lease.id, Charge.kind == "rent", Charge.id.not_in(cancelled)
            )
        )
    ).scalars()
    final_period = f"{last:%Y-%m}"
    in_last_month = []
    for charge in list(rents):
        if charge.period is not None and charge.period > final_period:
            await adjust_charge(
                session, lease, charge, kind="void", reason="after move-out", on=today
            )
        elif charge.period == final_period:
            in_last_month.append(charge)
    if not in_last_month:
        return  # the run bills the last month, already prorated
    steps = (
        await session.execute(
            select(RentStep.effective_on, RentStep.amount).where(RentStep.lease_id == lease.id)
        )
    ).all()
    month = last.replace(day=1)
    rent = rent_on([(s.effective_on, s.amount) for s in steps], max(month, lease.start_on))
    wanted = None
    if rent is not None:
        wanted = month_charge(
            rent, Proration(lease.proration), lease.due_day, month, lease.start_on, last
        )
    billed = sum(c.amount for c in in_last_month)
    if wanted is not None and wanted.amount == billed:
        return
    for charge in in_last_month:
        await adjust_charge(
            session, lease, charge, kind="void", reason="prorated at move-out", on=today
        )
    if wanted is not None:
        await post_charge(
            session,
            lease,
            kind="rent",
            amount=wanted.amount,
            due_on=wanted.due_on,
            posted_on=today,
            dedupe_key=f"rent:{final_period}:final:{last}",
            period=final_period,
        )


async def end(
    session: AsyncSession,
    principal: Principal,
    tenant_id: str,
    lease_id: uuid.UUID,
    moved_out_on: date | None,
    today: date,
    *,
    reason: str | None = None,
) -> Lease:
    """End an active lease (`reason` given: terminated early, audited)."""
    lease = await locked_lease(session, tenant_id, lease_id)
    if lease.status != "active":
        raise ProblemError(409, "invalid-lease-transition", f"a {lease.status} lease cannot end")
    moved_out = moved_out_on or lease.end_on
    if moved_out is None:
        raise ProblemError(422, "move-out-required", "an open-ended lease needs moved_out_on")
    if moved_out < lease.start_on:
        raise ProblemError(422, "invalid-lease-term", "moved_out_on is before the start")
    before = {"status": lease.status, "end_on": str(lease.end_on), "moved_out_on": None}
    lease.moved_out_on = moved_out
    lease.status = "ended" if reason is None else "terminated"
    lease.termination_reason = reason
    await session.flush()
    await rebill_after_move_out(session, lease, today)
    if reason is not None:
        after = {"status": lease.status, "moved_out_on": str(moved_out), "reason": reason}
        audit(session, principal, "lease.terminate", "lease", lease.id, before=before, after=after)
    events.lease_ended(session, lease)
    return lease


async def renew(
    session: AsyncSession, tenant_id: str, lease_id: uuid.UUID, body: LeaseRenewal
) -> Lease:
    """A new active lease from the day after this one's end; this one becomes `renewed`."""
    lease = await locked_lease(session, tenant_id, lease_id)
    if lease.status != "active" or lease.end_on is None:
        raise ProblemError(
            409, "invalid-lease-transition", "only an active lease with an end date renews"
        )
    start = lease.end_on + timedelta(days=1)
    if body.end_on is not None and body.end_on < start:
        raise ProblemError(422, "invalid-lease-term", "the renewal ends before it starts")
    steps = (
        await session.execute(
            select(RentStep.effective_on, RentStep.amount).where(RentStep.lease_id == lease.id)
        )
    ).all()
    current = rent_on([(s.effective_on, s.amount) for s in steps], lease.end_on)
    rent = dollars(body.rent) if body.rent is not None else current
    if rent is None or rent <= 0:
        raise ProblemError(422, "invalid-rent-schedule", "the renewal's rent must be positive")
    renewal = Lease(
        id=new_id(),
        tenant_id=tenant_id,
        unit_id=lease.unit_id,
        renter_id=lease.renter_id,
        status="active",
        start_on=start,
        end_on=body.end_on,
        due_day=lease.due_day,
        proration=lease.proration,
        deposit_amount=lease.deposit_amount,
        renewal_of=lease.id,
    )
    lease.status = "renewed"
    session.add(renewal)
    await session.flush()
    await _refuse_overlap(session, renewal)
    session.add(RentStep(lease_id=renewal.id, tenant_id=tenant_id, effective_on=start, amount=rent))
    await session.flush()
    events.lease_ended(session, lease)
    events.lease_activated(session, renewal)
    return renewal
