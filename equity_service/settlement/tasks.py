"""The settlement worker task: post queued ledger instructions (beat, and nudges)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from sqlalchemy.ext.asyncio import AsyncEngine

from equity_service.books.client import ledger_books
from equity_service.config import get_settings
from equity_service.settlement.service import settle_pending
from fleetkit.celery_app import IDEMPOTENT, run_use_case


async def settle_with_fresh_client(engine: AsyncEngine) -> int:
    books = ledger_books(get_settings())
    try:
        return await settle_pending(engine, books)
    finally:
        await books.client.aclose()


@shared_task(name="equity.settle_instructions", bind=True, **IDEMPOTENT)
def settle_instructions(self: Any) -> int:
    """Post every pending settlement and release to the ledger; returns how many."""
    return run_use_case(self, settle_with_fresh_client)
