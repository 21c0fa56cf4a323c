"""A lease's ledger as a statement: every row in date order with a running balance."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from realestate_service.billing import repository
from realestate_service.billing.models import Charge
from realestate_service.billing.schemas import (
    BalancePublic,
    ChargePublic,
    LeaseLedger,
    LedgerEntry,
)
from realestate_service.billing.service import balance
from realestate_service.domain.money import ZERO


@dataclass(frozen=True)
class _Row:
    on: date
    charge_first: int  # on one day, charges come before what pays or lowers them
    seq: int
    type: str
    id: uuid.UUID
    text: str
    amount: Decimal


def charge_public(c: Charge, left: Decimal) -> ChargePublic:
    return ChargePublic(
        id=c.id,
        lease_id=c.lease_id,
        kind=c.kind,
        period=c.period,
        amount=c.amount,
        open=left,
        due_on=c.due_on,
        posted_on=c.posted_on,
        memo=c.memo,
        automatic=c.automatic,
    )


async def lease_ledger(session: AsyncSession, lease_id: uuid.UUID) -> LeaseLedger:
    """Charges (+), payments (-), reversals (+) and adjustments (-) with the running balance;
    the last balance is the net balance (open receivable minus credit)."""
    charges, payments, reversals, adjustments, _ = await repository.lease_rows(session, lease_id)
    rows = [
        _Row(c.posted_on, 0, c.seq, "charge", c.id, f"{c.kind} {c.period or ''} {c.memo}", c.amount)
        for c in charges
    ]
    rows += [
        _Row(p.received_on, 1, p.seq, "payment", p.id, f"{p.method} {p.reference}", -p.amount)
        for p in payments
    ]
    rows += [
        _Row(r.reversed_on, 1, 0, f"payment_{r.kind}", r.payment_id, r.reason, r.amount)
        for r in reversals
    ]
    rows += [_Row(a.adjusted_on, 1, a.seq, a.kind, a.id, a.reason, -a.amount) for a in adjustments]
    rows.sort(key=lambda row: (row.on, row.charge_first, row.seq))
    running = ZERO
    entries = []
    for row in rows:
        running += row.amount
        entries.append(
            LedgerEntry(
                on=row.on,
                type=row.type,
                id=row.id,
                description=" ".join(row.text.split()),
                amount=row.amount,
                balance=running,
            )
        )
    owed = await balance(session, lease_id)
    open_by_charge = {
        c.id: left for c, left in await repository.charges_with_open(session, lease_id)
    }
    return LeaseLedger(
        lease_id=lease_id,
        entries=entries,
        charges=[charge_public(c, open_by_charge[c.id]) for c in charges],
        balance=BalancePublic(
            lease_id=lease_id,
            open_receivable=owed.open_receivable,
            credit=owed.credit,
            net=owed.net,
        ),
    )
