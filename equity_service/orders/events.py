"""An order's history (`order_events`) and the fleet events it publishes through the outbox.

| type | when | payload |
|---|---|---|
| `equity.order.accepted` | the hold is in place and the order is live | `order` |
| `equity.order.filled` | each fill, partial or final | `order`, `fill` |
| `equity.order.canceled` | canceled by the user, or the unfilled part of an ioc / fok | `order` |
| `equity.order.expired` | a day or gtd order reached its expiry | `order` |
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.orders.models import Order, OrderEvent
from fleetkit.events.outbox import emit

PUBLISHED = {"accepted", "filled", "canceled", "expired"}


def order_payload(order: Order) -> dict[str, Any]:
    """The order as events carry it: amounts as decimal strings."""
    return {
        "order_id": str(order.id),
        "client_order_id": order.client_order_id,
        "account_id": str(order.account_id),
        "symbol": order.symbol,
        "side": order.side,
        "type": order.type,
        "qty": format(order.qty, "f"),
        "filled_qty": format(order.filled_qty, "f"),
        "status": order.status,
    }


def record(session: AsyncSession, order: Order, kind: str, **detail: Any) -> None:
    """Append `kind` to the order's history; publish it when it is a fleet event."""
    session.add(OrderEvent(order_id=order.id, type=kind, status=order.status, detail=detail))
    if kind in PUBLISHED:
        emit(
            session,
            producer="equity",
            type=f"equity.order.{kind}",
            payload={"order": order_payload(order), **detail},
            tenant_id=order.tenant_id,
        )
