"""Reading the rent ledger of one lease: open charges, credits, allocations, reversals."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from realestate_service.billing.models import (
    Adjustment,
    Allocation,
    Charge,
    Payment,
    PaymentReversal,
)
from realestate_service.leases.models import Lease


async def lock_lease(session: AsyncSession, tenant_id: str, lease_id: uuid.UUID) -> Lease | None:
    """The lease, locked for the rest of the transaction: every money change on a lease is
    serialized here, so allocations never exceed a charge or a payment."""
    query = select(Lease).where(Lease.id == lease_id, Lease.tenant_id == tenant_id)
    return (await session.execute(query.with_for_update())).scalar_one_or_none()


async def charges_with_open(
    session: AsyncSession, lease_id: uuid.UUID
) -> list[tuple[Charge, Decimal]]:
    """Every charge of the lease with its open amount, in posting order."""
    allocated = func.coalesce(func.sum(Allocation.amount), 0)
    query = (
        select(Charge, Charge.amount - allocated)
        .outerjoin(Allocation, Allocation.charge_id == Charge.id)
        .where(Charge.lease_id == lease_id)
        .group_by(Charge.id)
        .order_by(Charge.seq)
    )
    return [(charge, Decimal(open_)) for charge, open_ in (await session.execute(query)).all()]


def _not_reversed() -> object:
    return ~exists().where(PaymentReversal.payment_id == Payment.id)


async def payments_with_credit(
    session: AsyncSession, lease_id: uuid.UUID
) -> list[tuple[Payment, Decimal]]:
    """Payments (not reversed) with money not yet allocated, oldest first."""
    allocated = func.coalesce(func.sum(Allocation.amount), 0)
    query = (
        select(Payment, Payment.amount - allocated)
        .outerjoin(Allocation, Allocation.payment_id == Payment.id)
        .where(Payment.lease_id == lease_id, _not_reversed())  # type: ignore[arg-type]
        .group_by(Payment.id)
        .having(Payment.amount - allocated > 0)
        .order_by(Payment.received_on, Payment.seq)
    )
    return [(p, Decimal(left)) for p, left in (await session.execute(query)).all()]


async def payment_by_id(
    session: AsyncSession, tenant_id: str, payment_id: uuid.UUID
) -> Payment | None:
    query = select(Payment).where(Payment.id == payment_id, Payment.tenant_id == tenant_id)
    return (await session.execute(query)).scalar_one_or_none()


async def charge_by_id(
    session: AsyncSession, tenant_id: str, charge_id: uuid.UUID
) -> Charge | None:
    query = select(Charge).where(Charge.id == charge_id, Charge.tenant_id == tenant_id)
    return (await session.execute(query)).scalar_one_or_none()


async def reversal_of(session: AsyncSession, payment_id: uuid.UUID) -> PaymentReversal | None:
    return await session.get(PaymentReversal, payment_id)


async def net_by_payment(
    session: AsyncSession, charge_id: uuid.UUID
) -> list[tuple[uuid.UUID, Decimal]]:
    """What each payment still pays of a charge (allocations net of un-allocations)."""
    query = (
        select(Allocation.payment_id, func.sum(Allocation.amount))
        .where(Allocation.charge_id == charge_id, Allocation.payment_id.is_not(None))
        .group_by(Allocation.payment_id)
        .having(func.sum(Allocation.amount) > 0)
    )
    rows = (await session.execute(query)).all()
    return [(pid, Decimal(amount)) for pid, amount in rows if pid is not None]


async def net_by_charge(
    session: AsyncSession, payment_id: uuid.UUID
) -> list[tuple[uuid.UUID, Decimal]]:
    """What a payment still pays of each charge."""
    query = (
        select(Allocation.charge_id, func.sum(Allocation.amount))
        .where(Allocation.payment_id == payment_id)
        .group_by(Allocation.charge_id)
        .having(func.sum(Allocation.amount) > 0)
    )
    return [(cid, Decimal(amount)) for cid, amount in (await session.execute(query)).all()]


async def lease_rows(
    session: AsyncSession, lease_id: uuid.UUID
) -> tuple[list[Charge], list[Payment], list[PaymentReversal], list[Adjustment], list[Allocation]]:
    """Everything the lease's ledger holds, each kind in its order."""
    charges = (
        await session.execute(
            select(Charge).where(Charge.lease_id == lease_id).order_by(Charge.seq)
        )
    ).scalars()
    payments = (
        await session.execute(
            select(Payment).where(Payment.lease_id == lease_id).order_by(Payment.seq)
        )
    ).scalars()
    reversals = (
        await session.execute(select(PaymentReversal).where(PaymentReversal.lease_id == lease_id))
    ).scalars()
    adjustments = (
        await session.execute(
            select(Adjustment).where(Adjustment.lease_id == lease_id).order_by(Adjustment.seq)
        )
    ).scalars()
    allocations = (
        await session.execute(
            select(Allocation).where(Allocation.lease_id == lease_id).order_by(Allocation.seq)
        )
    ).scalars()
    return list(charges), list(payments), list(reversals), list(adjustments), list(allocations)


RECEIVABLE_AS_OF = """
SELECT coalesce(sum(open), 0) FROM (
  SELECT c.amount - coalesce((SELECT sum(a.amount) FROM allocations a
                              WHERE a.charge_id = c.id AND a.booked_on <= :day), 0) AS open
  FROM charges c WHERE c.lease_id = :lease AND c.posted_on <= :day) o
WHERE open > 0
"""
CREDIT_AS_OF = """
SELECT coalesce(sum(p.amount - coalesce((SELECT sum(a.amount) FROM allocations a
                                         WHERE a.payment_id = p.id AND a.booked_on <= :day),
                                        0)), 0)
FROM payments p
WHERE p.lease_id = :lease AND p.received_on <= :day
  AND NOT EXISTS (SELECT 1 FROM payment_reversals r
                  WHERE r.payment_id = p.id AND r.reversed_on <= :day)
"""


async def balance_as_of(
    session: AsyncSession, lease_id: uuid.UUID, day: date
) -> tuple[Decimal, Decimal]:
    """(open receivable, credit) as the books stood at the end of `day`: charges posted,
    allocations booked, payments received and not reversed by then."""
    params = {"lease": lease_id, "day": day}
    receivable = (await session.execute(text(RECEIVABLE_AS_OF), params)).scalar_one()
    credit = (await session.execute(text(CREDIT_AS_OF), params)).scalar_one()
    return Decimal(receivable), Decimal(credit)
