"""Calendar-month arithmetic: adding months clamps to the month's last day."""

from __future__ import annotations

import calendar
from datetime import date

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    """Number of days of the month."""
    if month == 2 and calendar.isleap(year):
        return 29
    return _MONTH_DAYS[month - 1]


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months (31 Aug + 6 months is 28 or 29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, days_in_month(year, month + 1)))


def end_of_month(day: date) -> date:
    """The last calendar day of `day`'s month."""
    return day.replace(day=days_in_month(day.year, day.month))


def is_end_of_month(day: date) -> bool:
    """Whether `day` is the last calendar day of its month."""
    return day.day == days_in_month(day.year, day.month)
