"""Dividends due today are paid by beat (the ledger side then goes through settlement)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from celery import shared_task
from sqlalchemy.ext.asyncio import AsyncEngine

from equity_service.books.client import ledger_books
from equity_service.config import get_settings
from equity_service.corporate_actions.dividends import pay_due_dividends
from fleetkit.celery_app import IDEMPOTENT, run_use_case


async def pay_with_fresh_client(engine: AsyncEngine) -> int:
    books = ledger_books(get_settings())
    try:
        return await pay_due_dividends(engine, books, datetime.now(UTC).date())
    finally:
        await books.client.aclose()


@shared_task(name="equity.pay_due_dividends", bind=True, **IDEMPOTENT)
def pay_dividends(self: Any) -> int:
    """Pay the dividends whose payment date has come; returns how many."""
    return run_use_case(self, pay_with_fresh_client)
