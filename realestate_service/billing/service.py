"""Use cases of one lease's rent ledger. Each runs with the lease row locked.

Rows are only added: a charge is lowered by an adjustment (void, waive, write-off, fee
reversal), a payment is undone by a reversal and negative allocations. After every change the
renter's credit (payments' unallocated money) is applied to what is open.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.ids import new_id
from fleetkit.problems import ProblemError, not_found
from realestate_service.billing import events, repository
from realestate_service.billing.models import (
    Adjustment,
    Allocation,
    Charge,
    Payment,
    PaymentReversal,
)
from realestate_service.books.queue import queue_posting
from realestate_service.domain.allocation import FEE_KINDS, OpenCharge, allocate
from realestate_service.domain.money import ZERO
from realestate_service.leases.models import Lease
from realestate_service.organization.repository import fees_last


@dataclass(frozen=True)
class Balance:
    open_receivable: Decimal
    credit: Decimal

    @property
    def net(self) -> Decimal:
        return self.open_receivable - self.credit


async def locked_lease(session: AsyncSession, tenant_id: str, lease_id: uuid.UUID) -> Lease:
    """The lease, locked; a 404 problem when it is not the tenant's."""
    lease = await repository.lock_lease(session, tenant_id, lease_id)
    if lease is None:
        raise not_found("lease")
    return lease


def billable(lease: Lease) -> None:
    if lease.status == "draft":
        raise ProblemError(409, "lease-not-active", "a draft lease has no ledger yet")


async def balance(session: AsyncSession, lease_id: uuid.UUID, as_of: date | None = None) -> Balance:
    """Open receivable (sum of charges - sum of allocations) and credit (unallocated payments),
    now or as the books stood at the end of `as_of`."""
    if as_of is not None:
        return Balance(*await repository.balance_as_of(session, lease_id, as_of))
    receivable = sum((o for _, o in await repository.charges_with_open(session, lease_id)), ZERO)
    credit = sum((c for _, c in await repository.payments_with_credit(session, lease_id)), ZERO)
    return Balance(receivable, credit)


async def apply_credit(session: AsyncSession, lease: Lease, on: date) -> Decimal:
    """Allocate every payment's unallocated money to open charges, on business day `on`;
    returns the amount. Each allocation is booked on the latest of `on`, the payment's receipt
    and the charge's posting (so an "as of" balance never sees it before both existed)."""
    credits = await repository.payments_with_credit(session, lease.id)
    if not credits:
        return ZERO
    with_open = await repository.charges_with_open(session, lease.id)
    posted_on = {charge.id: charge.posted_on for charge, _ in with_open}
    open_charges = {
        charge.id: OpenCharge(charge.id, charge.kind, charge.due_on, left, charge.seq)
        for charge, left in with_open
        if left > 0
    }
    if not open_charges:
        return ZERO
    last = await fees_last(session, lease.tenant_id)
    applied = ZERO
    for payment, money in credits:
        pairs, _ = allocate(money, open_charges.values(), fees_last=last)
        for charge_id, amount in pairs:
            session.add(
                Allocation(
                    tenant_id=lease.tenant_id,
                    lease_id=lease.id,
                    charge_id=charge_id,
                    payment_id=payment.id,
                    amount=amount,
                    effective_on=payment.received_on,
                    booked_on=max(on, payment.received_on, posted_on[charge_id]),
                )
            )
            was = open_charges[charge_id]
            open_charges[charge_id] = OpenCharge(
                was.id, was.kind, was.due_on, was.open_amount - amount, was.seq
            )
            applied += amount
    await session.flush()
    return applied


async def post_charge(
    session: AsyncSession,
    lease: Lease,
    *,
    kind: str,
    amount: Decimal,
    due_on: date,
    posted_on: date,
    dedupe_key: str,
    period: str | None = None,
    memo: str = "",
    automatic: bool = False,
    source_charge_id: uuid.UUID | None = None,
) -> Charge | None:
    """Add a charge unless one with the same key exists (then None); emits charge.posted."""
    charge_id = new_id()
    inserted = await session.execute(
        insert(Charge)
        .values(
            id=charge_id,
            tenant_id=lease.tenant_id,
            lease_id=lease.id,
            kind=kind,
            period=period,
            dedupe_key=dedupe_key,
            amount=amount,
            due_on=due_on,
            posted_on=posted_on,
            memo=memo,
            automatic=automatic,
            source_charge_id=source_charge_id,
        )
        .on_conflict_do_nothing(constraint="uq_charges_lease_key")
        .returning(Charge.id)
    )
    if inserted.scalar_one_or_none() is None:
        return None
    charge = await session.get(Charge, charge_id)
    assert charge is not None
    events.charge_posted(session, charge)
    return charge


async def record_payment(
    session: AsyncSession,
    lease: Lease,
    *,
    amount: Decimal,
    received_on: date,
    method: str,
    reference: str,
    to_ledger: bool = True,
) -> Payment:
    """Add a payment and allocate it (and any older credit) to the open charges."""
    billable(lease)
    payment = Payment(
        id=new_id(),
        tenant_id=lease.tenant_id,
        lease_id=lease.id,
        amount=amount,
        received_on=received_on,
        method=method,
        reference=reference,
    )
    session.add(payment)
    await session.flush()
    await apply_credit(session, lease, received_on)
    if to_ledger:
        queue_posting(session, payment, "payment")
    events.payment_recorded(session, payment)
    return payment


async def _unallocate(
    session: AsyncSession, lease: Lease, pairs: list[tuple[uuid.UUID, uuid.UUID, Decimal]], on: date
) -> None:
    for charge_id, payment_id, amount in pairs:
        session.add(
            Allocation(
                tenant_id=lease.tenant_id,
                lease_id=lease.id,
                charge_id=charge_id,
                payment_id=payment_id,
                amount=-amount,
                effective_on=on,
                booked_on=on,
            )
        )
    await session.flush()


async def adjust_charge(
    session: AsyncSession,
    lease: Lease,
    charge: Charge,
    *,
    kind: str,
    reason: str,
    on: date,
    amount: Decimal | None = None,
) -> Adjustment:
    """Lower what a charge asks by an offsetting row.

    `void` and `fee_reversal` cancel the whole charge: what payments paid of it goes back to
    the renter's credit (and is applied again). `waive` and `write_off` lower the open amount
    (all of it by default).
    """
    if kind in ("void", "fee_reversal"):
        paid = await repository.net_by_payment(session, charge.id)
        await _unallocate(session, lease, [(charge.id, pid, a) for pid, a in paid], on)
    open_now = dict(
        (c.id, left) for c, left in await repository.charges_with_open(session, lease.id)
    )[charge.id]
    if kind in ("void", "fee_reversal") or amount is None:
        amount = open_now
    if amount <= 0 or amount > open_now:
        raise ProblemError(
            409, "nothing-to-adjust", f"the charge has {open_now} open; cannot {kind} {amount}"
        )
    adjustment = Adjustment(
        id=new_id(),
        tenant_id=lease.tenant_id,
        lease_id=lease.id,
        charge_id=charge.id,
        kind=kind,
        amount=amount,
        reason=reason,
        adjusted_on=on,
    )
    session.add(adjustment)
    await session.flush()
    session.add(
        Allocation(
            tenant_id=lease.tenant_id,
            lease_id=lease.id,
            charge_id=charge.id,
            adjustment_id=adjustment.id,
            amount=amount,
            effective_on=on,
            booked_on=on,
        )
    )
    await session.flush()
    await apply_credit(session, lease, on)
    return adjustment


async def reverse_payment(
    session: AsyncSession,
    lease: Lease,
    payment: Payment,
    *,
    kind: str,
    reason: str,
    on: date,
    nsf_fee: Decimal | None = None,
) -> PaymentReversal:
    """A bounced (`nsf`) or voided payment: reopen what it paid; optionally an NSF fee."""
    if await repository.reversal_of(session, payment.id) is not None:
        raise ProblemError(409, "payment-already-reversed", "this payment was already reversed")
    reversal = PaymentReversal(
        payment_id=payment.id,
        tenant_id=lease.tenant_id,
        lease_id=lease.id,
        kind=kind,
        reason=reason,
        reversed_on=on,
        amount=payment.amount,
    )
    session.add(reversal)
    paid = await repository.net_by_charge(session, payment.id)
    await _unallocate(session, lease, [(cid, payment.id, a) for cid, a in paid], on)
    if nsf_fee is not None and nsf_fee > 0:
        await post_charge(
            session,
            lease,
            kind="nsf_fee",
            amount=nsf_fee,
            due_on=on,
            posted_on=on,
            dedupe_key=f"nsf_fee:{payment.id}",
            memo=f"returned payment {payment.reference}".strip(),
        )
    await apply_credit(session, lease, on)
    if payment.method != "deposit":
        queue_posting(session, payment, "reversal")
    events.payment_reversed(session, reversal)
    return reversal


def is_fee(charge: Charge) -> bool:
    return charge.kind in FEE_KINDS


async def reallocate(
    session: AsyncSession,
    lease: Lease,
    payment: Payment,
    lines: list[tuple[uuid.UUID, Decimal]],
) -> None:
    """Manual reallocation: the payment's money leaves its charges and goes to `lines`."""
    if await repository.reversal_of(session, payment.id) is not None:
        raise ProblemError(409, "payment-already-reversed", "a reversed payment pays nothing")
    if sum((a for _, a in lines), ZERO) > payment.amount:
        raise ProblemError(422, "over-allocation", "the lines exceed the payment")
    paid = await repository.net_by_charge(session, payment.id)
    await _unallocate(
        session, lease, [(cid, payment.id, a) for cid, a in paid], payment.received_on
    )  # a reallocation corrects the past: it is booked on the payment's day
    open_now = {c.id: left for c, left in await repository.charges_with_open(session, lease.id)}
    for charge_id, amount in lines:
        if charge_id not in open_now:
            raise ProblemError(422, "unknown-charge", f"{charge_id} is not a charge of this lease")
        if amount <= 0 or amount > open_now[charge_id]:
            raise ProblemError(
                422, "over-allocation", f"charge {charge_id} has {open_now[charge_id]} open"
            )
        open_now[charge_id] -= amount
        session.add(
            Allocation(
                tenant_id=lease.tenant_id,
                lease_id=lease.id,
                charge_id=charge_id,
                payment_id=payment.id,
                amount=amount,
                effective_on=payment.received_on,
                booked_on=payment.received_on,
            )
        )
    await session.flush()
    await apply_credit(session, lease, payment.received_on)
