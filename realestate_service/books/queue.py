"""Queueing a ledger posting in the same transaction as the payment it mirrors."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.ledger_client import transaction_id_for
from realestate_service.billing.models import Payment
from realestate_service.books.models import LedgerPosting
from realestate_service.deposits.models import DepositEntry

POSTING_NAMESPACE = uuid.UUID("0193a1b2-0004-7000-8000-7265616c6573")


def posting_id(payment_id: uuid.UUID, kind: str) -> uuid.UUID:
    """The ledger transaction id of a payment's posting (`payment` or `reversal`)."""
    return transaction_id_for(POSTING_NAMESPACE, payment_id, kind)


def queue_posting(session: AsyncSession, payment: Payment, kind: str) -> None:
    """Owe the ledger the cash movement of `payment` (received, or reversed)."""
    session.add(
        LedgerPosting(
            id=posting_id(payment.id, kind),
            tenant_id=payment.tenant_id,
            kind=kind,
            payment_id=payment.id,
            amount=payment.amount,
        )
    )


def queue_deposit_posting(session: AsyncSession, entry: DepositEntry) -> None:
    """Owe the ledger the movement of a deposit entry (received, applied, refunded, forfeited)."""
    kind = f"deposit_{entry.kind}"
    session.add(
        LedgerPosting(
            id=posting_id(entry.id, kind),
            tenant_id=entry.tenant_id,
            kind=kind,
            deposit_entry_id=entry.id,
            amount=entry.amount,
        )
    )
