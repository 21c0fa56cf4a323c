"""The events of bond trades and payments (payloads in docs/fixed_income.md), via the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.events.outbox import emit

PRODUCER = "fixed_income"
TRADE_SETTLED = "fixed_income.trade.settled"
COUPON_PAID = "fixed_income.coupon.paid"
BOND_REDEEMED = "fixed_income.bond.redeemed"


def publish(session: AsyncSession, type_: str, tenant_id: str, payload: dict[str, Any]) -> None:
    """Add the event to the outbox of the session's transaction."""
    emit(session, producer=PRODUCER, type=type_, tenant_id=tenant_id, payload=payload)
