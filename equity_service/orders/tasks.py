"""Order expiry: day orders at the close, gtd orders at their `expire_at` (beat)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from celery import shared_task
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from equity_service.domain.order_states import Status
from equity_service.instruments.models import Instrument
from equity_service.orders.models import Order
from equity_service.venue.service import close_order
from fleetkit.celery_app import IDEMPOTENT, run_use_case
from fleetkit.db import make_sessionmaker

EXPIRABLE = (Status.NEW, Status.PARTIALLY_FILLED)  # a pending cancel is left to finish


async def expire_due_orders(engine: AsyncEngine, now: datetime | None = None) -> int:
    """Expire live orders whose `expire_at` has passed, releasing their holds; returns how
    many."""
    now = now or datetime.now(UTC)
    async with make_sessionmaker(engine)() as session, session.begin():
        query = (
            select(Order)
            .where(Order.status.in_(EXPIRABLE), Order.expire_at <= now)
            .order_by(Order.seq)
            .limit(1000)
            .with_for_update(skip_locked=True)
        )
        orders = (await session.execute(query)).scalars().all()
        for order in orders:
            instrument = await session.get(Instrument, order.instrument_id)
            assert instrument is not None
            await close_order(session, instrument, order, Status.EXPIRED, reason="time_in_force")
    return len(orders)


@shared_task(name="equity.expire_orders", bind=True, **IDEMPOTENT)
def expire_orders(self: Any) -> int:
    """Expire what is due now."""
    return run_use_case(self, expire_due_orders)
