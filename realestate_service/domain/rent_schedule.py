"""Which months of a lease are billable on a day, and the rent in force on a day.

A month's rent posts once its first occupied day has come (the 1st, or the move-in day), so a
daily run that was down for a while catches up every missing month, and never bills ahead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from realestate_service.domain.proration import MonthCharge, Proration, month_charge, next_month


def rent_on(steps: Sequence[tuple[date, Decimal]], day: date) -> Decimal | None:
    """The rent of the latest step effective on or before `day` (None before the first)."""
    current = None
    for effective_on, amount in sorted(steps):
        if effective_on <= day:
            current = amount
    return current


def period_start(period: str) -> date:
    """`2025-03` → 2025-03-01."""
    year, month = period.split("-")
    return date(int(year), int(month), 1)


def billable_months(
    start_on: date, last_day: date | None, as_of: date, after_period: str | None
) -> list[date]:
    """First days of the months to bill on `as_of`: from the lease's first month (or the month
    after `after_period`, the last one billed) through the month of `as_of`, within the lease."""
    month = start_on.replace(day=1)
    if after_period is not None:
        month = max(month, next_month(period_start(after_period)))
    months = []
    while month <= as_of and (last_day is None or month <= last_day):
        if max(month, start_on) <= as_of:
            months.append(month)
        month = next_month(month)
    return months


def charges_due(
    steps: Sequence[tuple[date, Decimal]],
    proration: Proration,
    due_day: int,
    start_on: date,
    last_day: date | None,
    as_of: date,
    after_period: str | None,
) -> list[MonthCharge]:
    """The rent charges a run on `as_of` should post for one lease."""
    found = []
    for month in billable_months(start_on, last_day, as_of, after_period):
        rent = rent_on(steps, max(month, start_on))
        if rent is None:
            continue
        charge = month_charge(rent, proration, due_day, month, start_on, last_day)
        if charge is not None:
            found.append(charge)
    return found
