"""Day-count conventions: how many days, and what fraction of a year, lie between two dates.

ACT/ACT ICMA needs the coupon's reference period (the regular period the dates fall in); the
others ignore it. The rules follow ISDA 2006 section 4.16 and ICMA Rule 251, as QuantLib reads
them (its readings are where the documents leave room: 30/360 US end-of-February, ICMA
periods longer than a regular one).
"""

from __future__ import annotations

import math
from datetime import date
from enum import StrEnum

from fixed_income_service.domain.months import add_months, days_in_month


class DayCount(StrEnum):
    """The supported day counts, by their market names."""

    THIRTY_360_US = "30/360 US"
    THIRTY_E_360 = "30E/360"
    ACT_360 = "ACT/360"
    ACT_365F = "ACT/365F"
    ACT_ACT_ICMA = "ACT/ACT ICMA"
    ACT_ACT_ISDA = "ACT/ACT ISDA"


def _last_of_february(day: date) -> bool:
    return day.month == 2 and day.day == days_in_month(day.year, 2)


def _thirty_360(start: date, end: date, *, us: bool) -> int:
    d1, d2 = start.day, end.day
    if us:
        # SIFMA's order: the February rules first, then the 31st rules.
        if _last_of_february(end) and _last_of_february(start):
            d2 = 30
        if _last_of_february(start):
            d1 = 30
        if d2 == 31 and d1 >= 30:
            d2 = 30
        if d1 == 31:
            d1 = 30
    else:
        d1, d2 = min(d1, 30), min(d2, 30)
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + d2 - d1


def day_count_days(convention: DayCount, start: date, end: date) -> int:
    """Days between the dates as the convention counts them (30/360 months have 30 days)."""
    if convention is DayCount.THIRTY_360_US:
        return _thirty_360(start, end, us=True)
    if convention is DayCount.THIRTY_E_360:
        return _thirty_360(start, end, us=False)
    return (end - start).days


def year_fraction(
    convention: DayCount,
    start: date,
    end: date,
    reference_start: date | None = None,
    reference_end: date | None = None,
) -> float:
    """The fraction of a year from `start` to `end` (negative when `end` is earlier)."""
    if convention in (DayCount.THIRTY_360_US, DayCount.THIRTY_E_360, DayCount.ACT_360):
        return day_count_days(convention, start, end) / 360.0
    if convention is DayCount.ACT_365F:
        return (end - start).days / 365.0
    if convention is DayCount.ACT_ACT_ISDA:
        return _act_act_isda(start, end)
    return _act_act_icma(start, end, reference_start or start, reference_end or end)


def _days_in_year(year: int) -> int:
    return 366 if days_in_month(year, 2) == 29 else 365


def _act_act_isda(start: date, end: date) -> float:
    if start == end:
        return 0.0
    if end < start:
        return -_act_act_isda(end, start)
    if start.year == end.year:
        return (end - start).days / _days_in_year(start.year)
    head = (date(start.year + 1, 1, 1) - start).days / _days_in_year(start.year)
    tail = (end - date(end.year, 1, 1)).days / _days_in_year(end.year)
    return head + (end.year - start.year - 1) + tail


def _act_act_icma(start: date, end: date, ref_start: date, ref_end: date) -> float:
    """ICMA: the period's share of its regular reference period, in years.

    A stretch longer than the reference period is cut at notional coupon dates, each piece
    counted against its own notional period (how QuantLib extends Rule 251 to long stubs).
    """
    if start == end:
        return 0.0
    if end < start:
        return -_act_act_icma(end, start, ref_start, ref_end)
    if not (ref_end > ref_start and ref_end > start):
        raise ValueError("invalid ACT/ACT ICMA reference period")
    months = math.floor(12 * (ref_end - ref_start).days / 365 + 0.5)
    if months == 0:
        ref_start, ref_end, months = start, add_months(start, 12), 12
    period = months / 12.0
    if end <= ref_end:
        if start >= ref_start:
            return period * (end - start).days / (ref_end - ref_start).days
        previous = add_months(ref_start, -months)
        if end > ref_start:
            return _act_act_icma(start, ref_start, previous, ref_start) + _act_act_icma(
                ref_start, end, ref_start, ref_end
            )
        return _act_act_icma(start, end, previous, ref_start)
    if ref_start > start:
        # Before and past the reference period at once (a long first stub paid after its
        # accrual end): QuantLib refuses; we cut at the reference period's end.
        return _act_act_icma(start, ref_end, ref_start, ref_end) + _act_act_icma(
            ref_end, end, ref_end, add_months(ref_end, months)
        )
    total = _act_act_icma(start, ref_end, ref_start, ref_end)
    i = 0
    while True:
        notional_start = add_months(ref_end, months * i)
        notional_end = add_months(ref_end, months * (i + 1))
        if end < notional_end:
            break
        total += period
        i += 1
    return total + _act_act_icma(notional_start, end, notional_start, notional_end)
