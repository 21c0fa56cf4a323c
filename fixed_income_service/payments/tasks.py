"""Coupons and redemptions due today are paid by beat."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from celery import shared_task
from sqlalchemy.ext.asyncio import AsyncEngine

from fixed_income_service.books.client import bond_books
from fixed_income_service.config import get_settings
from fixed_income_service.payments.service import pay_due
from fleetkit.celery_app import IDEMPOTENT, run_use_case


async def pay_with_fresh_client(engine: AsyncEngine, today: date) -> int:
    """Pay what is due by `today` with a ledger client of this run's event loop."""
    books = bond_books(get_settings())
    try:
        return await pay_due(engine, books, today)
    finally:
        await books.client.aclose()


@shared_task(name="fixed_income.pay_due_bond_payments", bind=True, **IDEMPOTENT)
def pay_due_bond_payments(self: Any, today: str | None = None) -> int:
    """Pay the coupons and redemptions whose payment date has come (by `today`, ISO, for an
    operator's catch-up run; beat sends none: today in UTC); returns how many."""
    day = date.fromisoformat(today) if today else datetime.now(UTC).date()
    return run_use_case(self, lambda engine: pay_with_fresh_client(engine, day))
