"""Holiday calendars and business-day conventions.

Holidays come from the maintained `holidays` package: the SIFMA recommendation for the US
government bond market (`XSIF`), the ECB's TARGET2 closing days (`XECB`) and the bank holidays
of England and Wales (UK settlement). Saturdays and Sundays are never business days.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from functools import cache

import holidays

from fixed_income_service.domain.refusals import Refusal

# Years the calendars are expanded for: far enough for a 50-year bond issued today.
FIRST_YEAR, LAST_YEAR = 1950, 2100


class BusinessDayConvention(StrEnum):
    """How a date that is not a business day is moved."""

    FOLLOWING = "following"
    MODIFIED_FOLLOWING = "modified_following"
    PRECEDING = "preceding"
    UNADJUSTED = "unadjusted"


CALENDARS = {
    "US-GOVT": "US government bond market (SIFMA, holidays package market XSIF)",
    "TARGET": "TARGET2 (ECB, holidays package market XECB)",
    "UK": "United Kingdom settlement: bank holidays of England and Wales (holidays package GB-ENG)",
    "WEEKENDS": "Saturdays and Sundays only",
}


@cache
def holiday_set(name: str) -> frozenset[date]:
    """The weekday holidays of calendar `name`; a refusal for a name we do not know."""
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    if name == "US-GOVT":
        days = holidays.financial_holidays("XSIF", years=years)
    elif name == "TARGET":
        days = holidays.financial_holidays("XECB", years=years)
    elif name == "UK":
        days = holidays.country_holidays("GB", subdiv="ENG", years=years)
    elif name == "WEEKENDS":
        return frozenset()
    else:
        raise Refusal("unknown-calendar", f"no calendar named {name!r}; known: {sorted(CALENDARS)}")
    return frozenset(day for day in days if day.weekday() < 5)


def is_business_day(calendar: str, day: date) -> bool:
    """Whether `day` is a business day of `calendar`."""
    return day.weekday() < 5 and day not in holiday_set(calendar)


def adjust(calendar: str, day: date, convention: BusinessDayConvention) -> date:
    """`day` moved to a business day by `convention`."""
    if convention is BusinessDayConvention.UNADJUSTED or is_business_day(calendar, day):
        return day
    step = -1 if convention is BusinessDayConvention.PRECEDING else 1
    moved = day
    while not is_business_day(calendar, moved):
        moved += timedelta(days=step)
    if convention is BusinessDayConvention.MODIFIED_FOLLOWING and moved.month != day.month:
        return adjust(calendar, day, BusinessDayConvention.PRECEDING)
    return moved


def business_days_before(calendar: str, day: date, count: int) -> date:
    """The date `count` business days before `day` (`day` itself when count is 0)."""
    moved = day
    while count > 0:
        moved -= timedelta(days=1)
        if is_business_day(calendar, moved):
            count -= 1
    return moved


def business_days_after(calendar: str, day: date, count: int) -> date:
    """The date `count` business days after `day` (`day` itself when count is 0)."""
    moved = day
    while count > 0:
        moved += timedelta(days=1)
        if is_business_day(calendar, moved):
            count -= 1
    return moved
