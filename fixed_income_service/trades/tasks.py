"""Pending trades settle by beat on their settlement date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from celery import shared_task
from sqlalchemy.ext.asyncio import AsyncEngine

from fixed_income_service.books.client import bond_books
from fixed_income_service.config import get_settings
from fixed_income_service.trades.settlement import settle_due
from fleetkit.celery_app import IDEMPOTENT, run_use_case


async def settle_with_fresh_client(engine: AsyncEngine, today: date) -> int:
    """Settle what is due by `today` with a ledger client of this run's event loop."""
    books = bond_books(get_settings())
    try:
        return await settle_due(engine, books, today)
    finally:
        await books.client.aclose()


@shared_task(name="fixed_income.settle_due_trades", bind=True, **IDEMPOTENT)
def settle_due_trades(self: Any, today: str | None = None) -> int:
    """Settle the pending trades whose settlement date has come (by `today`, ISO, for an
    operator's catch-up run; beat sends none: today in UTC); returns how many."""
    day = date.fromisoformat(today) if today else datetime.now(UTC).date()
    return run_use_case(self, lambda engine: settle_with_fresh_client(engine, day))
