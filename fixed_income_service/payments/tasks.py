"""Coupons and redemptions due today are paid by beat."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from celery import shared_task

from fixed_income_service.books.client import run_for_day
from fixed_income_service.payments.service import pay_due
from fleetkit.celery_app import IDEMPOTENT, run_use_case


@shared_task(name="fixed_income.pay_due_bond_payments", bind=True, **IDEMPOTENT)
def pay_due_bond_payments(self: Any, today: str | None = None) -> int:
    """Pay the coupons and redemptions whose payment date has come (by `today`, ISO, for an
    operator's catch-up run; beat sends none: today in UTC); returns how many."""
    day = date.fromisoformat(today) if today else datetime.now(UTC).date()
    return run_use_case(self, lambda engine: run_for_day(engine, day, pay_due))
