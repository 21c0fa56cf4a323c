"""Events of the rent ledger (payloads documented in docs/realestate.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.events.outbox import emit
from realestate_service.billing.models import Charge, Payment, PaymentReversal

PRODUCER = "realestate"
CHARGE_POSTED = "realestate.charge.posted"
PAYMENT_RECORDED = "realestate.payment.recorded"
PAYMENT_REVERSED = "realestate.payment.reversed"


def charge_payload(charge: Charge) -> dict[str, Any]:
    return {
        "charge_id": str(charge.id),
        "lease_id": str(charge.lease_id),
        "kind": charge.kind,
        "period": charge.period,
        "amount": str(charge.amount),
        "due_on": charge.due_on.isoformat(),
        "automatic": charge.automatic,
    }


def charge_posted(session: AsyncSession, charge: Charge) -> None:
    emit(
        session,
        producer=PRODUCER,
        type=CHARGE_POSTED,
        payload=charge_payload(charge),
        tenant_id=charge.tenant_id,
    )


def payment_recorded(session: AsyncSession, payment: Payment) -> None:
    emit(
        session,
        producer=PRODUCER,
        type=PAYMENT_RECORDED,
        payload={
            "payment_id": str(payment.id),
            "lease_id": str(payment.lease_id),
            "amount": str(payment.amount),
            "received_on": payment.received_on.isoformat(),
            "method": payment.method,
        },
        tenant_id=payment.tenant_id,
    )


def payment_reversed(session: AsyncSession, reversal: PaymentReversal) -> None:
    emit(
        session,
        producer=PRODUCER,
        type=PAYMENT_REVERSED,
        payload={
            "payment_id": str(reversal.payment_id),
            "lease_id": str(reversal.lease_id),
            "kind": reversal.kind,
            "amount": str(reversal.amount),
            "reversed_on": reversal.reversed_on.isoformat(),
            "reason": reversal.reason,
        },
        tenant_id=reversal.tenant_id,
    )
