"""Security deposits: a liability while held; income only once applied or forfeited.

`received` adds to what is held. `applied` pays open charges (a payment of method `deposit`,
allocated by the usual rules); `refunded` goes back to the renter; `forfeited` becomes the
landlord's income without paying a charge. None may take more than is held. In the ledger
service the money sits in the organization's deposits account until applied or forfeited
(then it moves to cash) or refunded (then it leaves).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.ids import new_id
from fleetkit.policy import Principal
from fleetkit.problems import ProblemError
from realestate_service.audit.service import audit
from realestate_service.billing.service import record_payment
from realestate_service.books.queue import queue_deposit_posting
from realestate_service.deposits.models import DepositEntry
from realestate_service.deposits.schemas import DepositEntryOut, DepositMove, DepositPublic
from realestate_service.domain.money import ZERO
from realestate_service.leases.models import Lease
from realestate_service.wire import dollars


async def entries_of(session: AsyncSession, lease: Lease) -> list[DepositEntry]:
    query = select(DepositEntry).where(DepositEntry.lease_id == lease.id).order_by(DepositEntry.seq)
    return list((await session.execute(query)).scalars())


def totals(entries: list[DepositEntry]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        sums[entry.kind] += entry.amount
    return sums


def held(entries: list[DepositEntry]) -> Decimal:
    """Received minus applied, refunded and forfeited."""
    t = totals(entries)
    return t["received"] - t["applied"] - t["refunded"] - t["forfeited"]


async def deposit_public(session: AsyncSession, lease: Lease) -> DepositPublic:
    entries = await entries_of(session, lease)
    t = totals(entries)
    return DepositPublic(
        lease_id=lease.id,
        required=lease.deposit_amount,
        held=held(entries),
        received=t["received"],
        applied=t["applied"],
        refunded=t["refunded"],
        forfeited=t["forfeited"],
        entries=[
            DepositEntryOut(
                id=e.id,
                kind=e.kind,
                amount=e.amount,
                on=e.entered_on,
                memo=e.memo,
                payment_id=e.payment_id,
            )
            for e in entries
        ],
    )


async def move(
    session: AsyncSession, principal: Principal, lease: Lease, kind: str, body: DepositMove
) -> DepositPublic:
    """Receive, apply, refund or forfeit (a locked lease); audited."""
    amount = dollars(body.amount)
    if amount <= 0:
        raise ProblemError(422, "invalid-amount", "a deposit movement is positive")
    if lease.status == "draft" and kind != "received":
        raise ProblemError(409, "lease-not-active", "a draft lease holds no deposit to move")
    entries = await entries_of(session, lease)
    before = held(entries)
    if kind != "received" and amount > before:
        raise ProblemError(409, "deposit-insufficient", f"only {before} of deposit is held")
    payment_id = None
    if kind == "applied":
        payment = await record_payment(
            session,
            lease,
            amount=amount,
            received_on=body.on,
            method="deposit",
            reference="security deposit applied",
            to_ledger=False,
        )
        payment_id = payment.id
    entry = DepositEntry(
        id=new_id(),
        tenant_id=lease.tenant_id,
        lease_id=lease.id,
        kind=kind,
        amount=amount,
        entered_on=body.on,
        memo=body.memo,
        payment_id=payment_id,
    )
    session.add(entry)
    await session.flush()
    queue_deposit_posting(session, entry)
    after = before + amount if kind == "received" else before - amount
    audit(session, principal, f"deposit.{kind}", "lease", lease.id,
          before={"held": str(before)}, after={"held": str(after), "memo": body.memo})  # fmt: skip
    return await deposit_public(session, lease)
