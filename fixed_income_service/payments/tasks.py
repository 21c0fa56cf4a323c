"""Coupons and redemptions due today are paid by beat."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from celery import shared_task
from sqlalchemy.ext.asyncio import AsyncEngine

from fixed_income_service.books.client import bond_books
from fixed_income_service.config import get_settings
from fixed_income_service.payments.service import pay_due
from fleetkit.celery_app import IDEMPOTENT, run_use_case


async def pay_with_fresh_client(engine: AsyncEngine) -> int:
    """Pay what is due today with a ledger client of this run's event loop."""
    books = bond_books(get_settings())
    try:
        return await pay_due(engine, books, datetime.now(UTC).date())
    finally:
        await books.client.aclose()


@shared_task(name="fixed_income.pay_due_bond_payments", bind=True, **IDEMPOTENT)
def pay_due_bond_payments(self: Any) -> int:
    """Pay the coupons and redemptions whose payment date has come; returns how many."""
    return run_use_case(self, pay_with_fresh_client)
