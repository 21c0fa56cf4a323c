"""Monthly rent: due dates clamped to the month, partial months prorated by the lease's method.

Occupied days count both the move-in and the move-out day. The charge of a partial month is
rounded half-up to the cent once, after the exact fraction is computed.

- `actual_days`: rent x occupied days / days in that month (the default);
- `thirty_day`: rent x occupied days / 30, never more than the month's rent;
- `annual`: rent x 12 x occupied days / days in that year;
- `full`: a partial month is billed in full;
- `none`: a partial month is not billed at all.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from realestate_service.domain.money import ZERO, round_rent


class Proration(StrEnum):
    ACTUAL_DAYS = "actual_days"
    THIRTY_DAY = "thirty_day"
    ANNUAL = "annual"
    FULL = "full"
    NONE = "none"


def month_length(year: int, month: int) -> int:
    """Days in the month."""
    return calendar.monthrange(year, month)[1]


def due_date(year: int, month: int, due_day: int) -> date:
    """The month's due date: day 31 in February falls on the 28th (29th in a leap year)."""
    if not 1 <= due_day <= 31:
        raise ValueError(f"due day must be 1..31, got {due_day}")
    return date(year, month, min(due_day, month_length(year, month)))


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=month_length(day.year, day.month))


def next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return month_end(day) + timedelta(days=1)


@dataclass(frozen=True)
class MonthCharge:
    """The rent of one calendar month of a lease."""

    period: str  # YYYY-MM
    amount: Decimal
    due_on: date
    occupied_days: int
    partial: bool


def prorate(rent: Decimal, method: Proration, first: date, last: date) -> Decimal:
    """Rent for the occupied days `first`..`last` (both counted) inside one calendar month."""
    if first > last or (first.year, first.month) != (last.year, last.month):
        raise ValueError("occupied days must lie inside one month, first <= last")
    days = (last - first).days + 1
    in_month = month_length(first.year, first.month)
    if days == in_month:
        return round_rent(rent)
    match method:
        case Proration.ACTUAL_DAYS:
            return round_rent(rent * days / in_month)
        case Proration.THIRTY_DAY:
            return min(round_rent(rent * days / 30), round_rent(rent))
        case Proration.ANNUAL:
            in_year = 366 if calendar.isleap(first.year) else 365
            return round_rent(rent * 12 * days / in_year)
        case Proration.FULL:
            return round_rent(rent)
        case Proration.NONE:
            return ZERO


def month_charge(
    rent: Decimal,
    method: Proration,
    due_day: int,
    month: date,
    move_in: date,
    move_out: date | None,
) -> MonthCharge | None:
    """The rent charge of `month` for a lease occupied `move_in`..`move_out` (None: open-ended).

    The due date is the month's due day, moved inside the occupied days: the move-in day when
    the lease starts after it, the move-out day when the lease ends before it.
    None when the lease does not occupy the month or the month's prorated rent is zero.
    """
    start, end = month_start(month), month_end(month)
    first = max(start, move_in)
    last = end if move_out is None else min(end, move_out)
    if first > last:
        return None
    amount = prorate(rent, method, first, last)
    if amount <= 0:
        return None
    due = min(max(due_date(month.year, month.month, due_day), first), last)
    days = (last - first).days + 1
    return MonthCharge(
        f"{month.year:04d}-{month.month:02d}", amount, due, days, days < (end - start).days + 1
    )
