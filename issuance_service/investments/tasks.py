"""The closing worker task: Celery beat runs it; it closes and settles due campaigns."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from celery import shared_task
from sqlalchemy.ext.asyncio import AsyncEngine

from fleetkit.celery_app import IDEMPOTENT, run_use_case
from issuance_service.books.client import ledger_books
from issuance_service.config import get_settings
from issuance_service.investments.closing import close_due


async def close_with_fresh_client(engine: AsyncEngine) -> int:
    books = ledger_books(get_settings())
    try:
        return await close_due(engine, books, datetime.now(UTC))
    finally:
        await books.client.aclose()


@shared_task(name="issuance.close_due_campaigns", bind=True, **IDEMPOTENT)
def close_due_campaigns(self: Any) -> int:
    """Close every campaign past its deadline and settle its escrow; returns how many."""
    return run_use_case(self, close_with_fresh_client)
