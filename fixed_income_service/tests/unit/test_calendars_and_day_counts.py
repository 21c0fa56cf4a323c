"""Holiday calendars, date adjustment and day counts against QuantLib's own."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
import QuantLib as ql  # noqa: N813

from fixed_income_service.domain.calendars import BusinessDayConvention, adjust, holiday_set
from fixed_income_service.domain.daycounts import DayCount, year_fraction
from fixed_income_service.domain.months import add_months
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.tests import quantlib_oracle as oracle

# Where SIFMA (the holidays package) and QuantLib's US government bond calendar part: SIFMA
# closed the market the day after 9/11, and recommends a full close on the Good Fridays when
# QuantLib expects an early close only (US jobs report days).
US_GOVERNMENT_EXTRA_CLOSINGS = {
    date(2001, 9, 12), date(2034, 4, 7), date(2037, 4, 3), date(2042, 4, 4), date(2045, 4, 7),
    date(2048, 4, 3), date(2053, 4, 4),
}  # fmt: skip


def quantlib_holidays(calendar, first: int, last: int) -> set[date]:
    found, day = set(), date(first, 1, 1)
    while day.year <= last:
        if day.weekday() < 5 and calendar.isHoliday(oracle.qdate(day)):
            found.add(day)
        day += timedelta(days=1)
    return found


@pytest.mark.parametrize(
    ("name", "quantlib_calendar", "differences"),
    [
        ("US-GOVT", ql.UnitedStates(ql.UnitedStates.GovernmentBond), US_GOVERNMENT_EXTRA_CLOSINGS),
        ("TARGET", ql.TARGET(), set()),
        ("UK", ql.UnitedKingdom(ql.UnitedKingdom.Settlement), set()),
    ],
)
def test_calendars_close_the_days_quantlib_closes(name, quantlib_calendar, differences):
    ours = {day for day in holiday_set(name) if 2000 <= day.year <= 2060}
    assert ours ^ quantlib_holidays(quantlib_calendar, 2000, 2060) == differences


def test_an_unknown_calendar_is_refused():
    with pytest.raises(Refusal) as refused:
        holiday_set("MARS")
    assert refused.value.kind == "unknown-calendar"


def test_adjusting_a_date_moves_it_as_quantlib_does():
    rng = random.Random(3)
    calendar = oracle.calendar("UK")
    for _ in range(2000):
        day = date(2030, 1, 1) + timedelta(days=rng.randint(0, 3650))
        for convention, quantlib_convention in oracle.CONVENTIONS.items():
            expected = oracle.pydate(calendar.adjust(oracle.qdate(day), quantlib_convention))
            assert adjust("UK", day, convention) == expected


def test_modified_following_stays_in_the_month():
    # 31 May 2031 is a Saturday: following would cross into June.
    assert adjust("WEEKENDS", date(2031, 5, 31), BusinessDayConvention.MODIFIED_FOLLOWING) == date(
        2031, 5, 30
    )


def test_year_fractions_agree_with_quantlib_for_every_day_count():
    rng = random.Random(5)
    for convention in DayCount:
        quantlib_day_count = oracle.DAY_COUNTS[convention]
        for _ in range(1500):
            ref_start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 3000))
            ref_end = add_months(ref_start, rng.choice((1, 3, 6, 12)))
            start = ref_start + timedelta(days=rng.randint(0, (ref_end - ref_start).days - 1))
            end = start + timedelta(days=rng.randint(0, 900))
            expected = quantlib_day_count.yearFraction(
                oracle.qdate(start), oracle.qdate(end), oracle.qdate(ref_start),
                oracle.qdate(ref_end),
            )  # fmt: skip
            assert year_fraction(convention, start, end, ref_start, ref_end) == pytest.approx(
                expected, abs=1e-15
            ), (convention, start, end, ref_start, ref_end)


def test_a_long_first_stub_paid_after_its_accrual_end_is_cut_at_the_reference_end():
    # QuantLib refuses ACT/ACT ICMA from before a reference period to past it; we add the two
    # pieces it does measure.
    start, ref_start, ref_end, paid = (date(2030, 9, 10), date(2030, 11, 30), date(2031, 5, 31),
                                       date(2031, 6, 2))  # fmt: skip
    icma = oracle.DAY_COUNTS[DayCount.ACT_ACT_ICMA]
    q = oracle.qdate
    expected = icma.yearFraction(
        q(start), q(ref_end), q(ref_start), q(ref_end)
    ) + icma.yearFraction(q(ref_end), q(paid), q(ref_end), q(date(2031, 11, 30)))
    found = year_fraction(DayCount.ACT_ACT_ICMA, start, paid, ref_start, ref_end)
    assert found == pytest.approx(expected, abs=1e-15)
