"""The rent ledger API: charges, payments, reversals, adjustments, ledger and balance."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from fastapi import APIRouter, BackgroundTasks, Depends, Request

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.ids import new_id
from fleetkit.problems import ProblemError, not_found
from realestate_service.access import may_read, may_write, may_write_off
from realestate_service.audit.service import audit
from realestate_service.billing import repository, service
from realestate_service.billing.late_fees import reconcile_fees
from realestate_service.billing.models import Payment
from realestate_service.billing.schemas import (
    AdjustmentPublic,
    BalancePublic,
    ChargeAdjustmentCreate,
    ChargeCreate,
    ChargePublic,
    LeaseLedger,
    PaymentCreate,
    PaymentPublic,
    PaymentReversalCreate,
    Reallocation,
)
from realestate_service.billing.statement import charge_public, lease_ledger
from realestate_service.books.after_commit import send_postings
from realestate_service.buildings.models import Unit
from realestate_service.leases.service import lease_of
from realestate_service.money_guard import require_idempotency_key
from realestate_service.organization.repository import policy_for_lease
from realestate_service.wire import dollars

router = APIRouter(tags=["billing"])
MONEY = [Depends(require_idempotency_key)]


def today() -> date:
    return datetime.now(UTC).date()


async def _payment_public(session: SessionDep, payment_id: uuid.UUID) -> PaymentPublic:
    payment = await session.get(Payment, payment_id)
    assert payment is not None
    credits = dict(
        (p.id, left) for p, left in await repository.payments_with_credit(session, payment.lease_id)
    )
    reversed_ = await repository.reversal_of(session, payment.id) is not None
    return PaymentPublic(
        id=payment.id,
        lease_id=payment.lease_id,
        amount=payment.amount,
        unallocated=credits.get(payment.id, 0),
        received_on=payment.received_on,
        method=payment.method,
        reference=payment.reference,
        reversed=reversed_,
    )


@router.post(
    "/leases/{lease_id}/charges", response_model=ChargePublic, status_code=201, dependencies=MONEY
)
async def post_charge(
    lease_id: uuid.UUID, body: ChargeCreate, principal: CurrentPrincipal, session: SessionDep
) -> ChargePublic:
    """A one-off charge (utility, parking, damage, a manual fee...); credit applies to it."""
    tenant = may_write(principal)
    lease = await service.locked_lease(session, tenant, lease_id)
    service.billable(lease)
    amount = dollars(body.amount)
    if amount <= 0:
        raise ProblemError(422, "invalid-amount", "a charge is positive")
    charge = await service.post_charge(
        session,
        lease,
        kind=body.kind,
        amount=amount,
        due_on=body.due_on,
        posted_on=min(body.due_on, today()),  # a back-dated entry is booked on its due date
        dedupe_key=f"manual:{new_id()}",
        period=f"{body.due_on:%Y-%m}",
        memo=body.memo,
    )
    assert charge is not None
    await service.apply_credit(session, lease, charge.posted_on)
    left = {c.id: o for c, o in await repository.charges_with_open(session, lease.id)}[charge.id]
    return charge_public(charge, left)


@router.post(
    "/leases/{lease_id}/payments", response_model=PaymentPublic, status_code=201, dependencies=MONEY
)
async def record_payment(
    lease_id: uuid.UUID,
    body: PaymentCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
    tasks: BackgroundTasks,
) -> PaymentPublic:
    """Record money received: allocated to open charges at once, the rest is credit. A payment
    dated inside a grace period reverses the automatic late fees it made unnecessary."""
    tenant = may_write(principal)
    lease = await service.locked_lease(session, tenant, lease_id)
    amount = dollars(body.amount)
    if amount <= 0:
        raise ProblemError(422, "invalid-amount", "a payment is positive")
    if body.received_on > today():
        raise ProblemError(422, "payment-in-future", "received_on cannot be after today")
    payment = await service.record_payment(
        session,
        lease,
        amount=amount,
        received_on=body.received_on,
        method=body.method,
        reference=body.reference,
    )
    unit = await session.get(Unit, lease.unit_id)
    assert unit is not None
    policy = await policy_for_lease(session, tenant, lease.id, unit.building_id)
    if policy is not None:
        await reconcile_fees(session, lease, policy, today(), post=False)
    send_postings(request, tasks)
    return await _payment_public(session, payment.id)


@router.get("/leases/{lease_id}/ledger", response_model=LeaseLedger)
async def get_ledger(
    lease_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> LeaseLedger:
    """Every row of the lease's ledger with the running balance, and each charge's open part."""
    tenant = may_read(principal)
    await lease_of(session, tenant, lease_id)
    return await lease_ledger(session, lease_id)


@router.get("/leases/{lease_id}/balance", response_model=BalancePublic)
async def get_balance(
    lease_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    as_of: date | None = None,
) -> BalancePublic:
    """Open receivable, credit and net balance (receivable minus credit); with `as_of`, as the
    books stood at the end of that day."""
    tenant = may_read(principal)
    await lease_of(session, tenant, lease_id)
    owed = await service.balance(session, lease_id, as_of)
    return BalancePublic(
        lease_id=lease_id, open_receivable=owed.open_receivable, credit=owed.credit, net=owed.net
    )


@router.get("/payments/{payment_id}", response_model=PaymentPublic)
async def get_payment(
    payment_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> PaymentPublic:
    tenant = may_read(principal)
    if await repository.payment_by_id(session, tenant, payment_id) is None:
        raise not_found("payment")
    return await _payment_public(session, payment_id)


@router.post("/payments/{payment_id}/reverse", response_model=PaymentPublic, dependencies=MONEY)
async def reverse_payment(
    payment_id: uuid.UUID,
    body: PaymentReversalCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
    tasks: BackgroundTasks,
) -> PaymentPublic:
    """A bounced (`nsf`, optionally with a fee) or voided payment: what it paid is open again."""
    tenant = may_write(principal)
    payment = await repository.payment_by_id(session, tenant, payment_id)
    if payment is None:
        raise not_found("payment")
    lease = await service.locked_lease(session, tenant, payment.lease_id)
    on = body.reversed_on or today()
    if on < payment.received_on:
        raise ProblemError(422, "reversal-before-payment", "reversed_on is before received_on")
    fee = None if body.nsf_fee is None else dollars(body.nsf_fee)
    if fee is not None and body.kind != "nsf":
        raise ProblemError(422, "nsf-fee-without-nsf", "an NSF fee is only for a bounced payment")
    await service.reverse_payment(
        session,
        lease,
        payment,
        kind=body.kind,
        reason=body.reason,
        on=on,
        nsf_fee=fee,
    )
    audit(
        session,
        principal,
        f"payment.{body.kind}",
        "payment",
        payment.id,
        before={"amount": str(payment.amount), "reversed": False},
        after={"reversed": True, "reason": body.reason, "nsf_fee": body.nsf_fee},
    )
    send_postings(request, tasks)
    return await _payment_public(session, payment.id)


@router.post("/payments/{payment_id}/reallocate", response_model=PaymentPublic, dependencies=MONEY)
async def reallocate_payment(
    payment_id: uuid.UUID, body: Reallocation, principal: CurrentPrincipal, session: SessionDep
) -> PaymentPublic:
    """Move a payment's money to the charges named, as named; what is left is applied by the
    usual rules."""
    tenant = may_write(principal)
    payment = await repository.payment_by_id(session, tenant, payment_id)
    if payment is None:
        raise not_found("payment")
    lease = await service.locked_lease(session, tenant, payment.lease_id)
    before = {str(c): str(a) for c, a in await repository.net_by_charge(session, payment.id)}
    await service.reallocate(
        session,
        lease,
        payment,
        [(line.charge_id, dollars(line.amount)) for line in body.allocations],
    )
    after = {str(c): str(a) for c, a in await repository.net_by_charge(session, payment.id)}
    audit(
        session, principal, "payment.reallocate", "payment", payment.id, before=before, after=after
    )
    return await _payment_public(session, payment.id)


async def _adjust(
    session: SessionDep,
    principal: CurrentPrincipal,
    tenant: str,
    charge_id: uuid.UUID,
    kind: str,
    body: ChargeAdjustmentCreate,
) -> AdjustmentPublic:
    charge = await repository.charge_by_id(session, tenant, charge_id)
    if charge is None:
        raise not_found("charge")
    lease = await service.locked_lease(session, tenant, charge.lease_id)
    if kind == "void" and body.amount is not None:
        raise ProblemError(422, "void-is-whole", "a void cancels the whole charge; no amount")
    if body.on is not None and body.on < charge.posted_on:
        raise ProblemError(422, "adjustment-before-charge", "`on` is before the charge was posted")
    adjustment = await service.adjust_charge(
        session,
        lease,
        charge,
        kind=kind,
        reason=body.reason,
        on=body.on or today(),
        amount=None if body.amount is None else dollars(body.amount),
    )
    audit(
        session,
        principal,
        f"charge.{kind}",
        "charge",
        charge.id,
        before={"amount": str(charge.amount)},
        after={"adjusted": str(adjustment.amount), "reason": body.reason},
    )
    return AdjustmentPublic(
        id=adjustment.id,
        charge_id=charge.id,
        kind=adjustment.kind,
        amount=adjustment.amount,
        reason=adjustment.reason,
        on=adjustment.adjusted_on,
    )


@router.post("/charges/{charge_id}/void", response_model=AdjustmentPublic, dependencies=MONEY)
async def void_charge(
    charge_id: uuid.UUID,
    body: ChargeAdjustmentCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> AdjustmentPublic:
    """Cancel a charge posted in error: what paid it becomes credit again."""
    tenant = may_write(principal)
    return await _adjust(session, principal, tenant, charge_id, "void", body)


@router.post("/charges/{charge_id}/waive", response_model=AdjustmentPublic, dependencies=MONEY)
async def waive_charge(
    charge_id: uuid.UUID,
    body: ChargeAdjustmentCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> AdjustmentPublic:
    """Forgive some or all of what is open on a charge (a courtesy)."""
    tenant = may_write(principal)
    return await _adjust(session, principal, tenant, charge_id, "waive", body)


@router.post("/charges/{charge_id}/write-off", response_model=AdjustmentPublic, dependencies=MONEY)
async def write_off_charge(
    charge_id: uuid.UUID,
    body: ChargeAdjustmentCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> AdjustmentPublic:
    """Give up on collecting what is open (bad debt); accountants may do it too."""
    tenant = may_write_off(principal)
    return await _adjust(session, principal, tenant, charge_id, "write_off", body)
