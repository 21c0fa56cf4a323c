"""The worker's jobs: the daily rent and late-fee runs, and the ledger postings sweep."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from celery import shared_task
from sqlalchemy.ext.asyncio import AsyncEngine

from fleetkit.celery_app import run_use_case
from fleetkit.db import make_sessionmaker
from realestate_service.billing.runs import apply_waiting_credit, generate_rent, run_late_fees
from realestate_service.books.service import ledger_books, post_pending
from realestate_service.config import get_settings


async def daily_billing(engine: AsyncEngine, as_of: date) -> dict[str, int]:
    """Rent, late fees, then credit left waiting, each in its own transaction; safe to rerun."""
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        rent = await generate_rent(session, as_of)
    async with sessionmaker() as session, session.begin():
        fees, reversed_fees = await run_late_fees(session, as_of)
    async with sessionmaker() as session, session.begin():
        credited = await apply_waiting_credit(session, as_of)
    return {
        "rent_charges": rent,
        "late_fees": fees,
        "fees_reversed": reversed_fees,
        "leases_credited": credited,
    }


def _as_of(text: str | None) -> date:
    return date.fromisoformat(text) if text else datetime.now(UTC).date()


@shared_task(name="realestate.daily_billing", bind=True)
def run_daily_billing(self: Any, as_of: str | None = None) -> dict[str, int]:
    """Post the rent charges and late fees due by `as_of` (default: today, UTC)."""
    return run_use_case(self, lambda engine: daily_billing(engine, _as_of(as_of)))


async def sweep_postings(engine: AsyncEngine) -> int:
    books = ledger_books(get_settings())
    try:
        return await post_pending(engine, books)
    finally:
        await books.client.aclose()


@shared_task(name="realestate.post_to_ledger", bind=True)
def post_to_ledger(self: Any) -> int:
    """Send the payment postings the requests could not send."""
    return run_use_case(self, sweep_postings)
