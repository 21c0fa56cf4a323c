"""Settlement dates: a trade date plus business days of the bond's calendar, as QuantLib's
`Calendar.advance` counts them on the same calendars."""

from __future__ import annotations

import random
from datetime import date, timedelta

import QuantLib as ql  # noqa: N813

from fixed_income_service.domain.calendars import business_days_after
from fixed_income_service.tests import quantlib_oracle as oracle


def test_t_plus_one_skips_a_us_government_bond_market_holiday():
    # 3 July 2026 (a Friday) is the observed Independence Day.
    assert business_days_after("US-GOVT", date(2026, 7, 2), 1) == date(2026, 7, 6)
    assert business_days_after("US-GOVT", date(2026, 7, 2), 0) == date(2026, 7, 2)


def test_business_days_after_agree_with_quantlibs_advance_on_every_calendar():
    rng = random.Random(11)
    for calendar in ("US-GOVT", "TARGET", "UK", "WEEKENDS"):
        theirs = oracle.calendar(calendar)
        for _ in range(300):
            day = date(2020, 1, 1) + timedelta(days=rng.randrange(4000))
            count = rng.randint(1, 3)
            expected = theirs.advance(oracle.qdate(day), count, ql.Days)
            ours = business_days_after(calendar, day, count)
            assert oracle.qdate(ours) == expected, (calendar, day, count)
