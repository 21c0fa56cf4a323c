"""Pending trades settle by beat on their settlement date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from celery import shared_task

from fixed_income_service.books.client import run_for_day
from fixed_income_service.trades.settlement import settle_due
from fleetkit.celery_app import IDEMPOTENT, run_use_case


@shared_task(name="fixed_income.settle_due_trades", bind=True, **IDEMPOTENT)
def settle_due_trades(self: Any, today: str | None = None) -> int:
    """Settle the pending trades whose settlement date has come (by `today`, ISO, for an
    operator's catch-up run; beat sends none: today in UTC); returns how many."""
    day = date.fromisoformat(today) if today else datetime.now(UTC).date()
    return run_use_case(self, lambda engine: run_for_day(engine, day, settle_due))
