"""The same bonds built in QuantLib, the independent oracle the engine is checked against.

Calendars are handed to QuantLib as bespoke calendars holding our holidays, so a difference
in the engine is never hidden behind a difference of holiday source (the calendars themselves
are compared with QuantLib's own in test_calendars).
"""

from __future__ import annotations

from datetime import date
from functools import cache

import QuantLib as ql  # noqa: N813 - the name every QuantLib user knows

from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.calendars import BusinessDayConvention, holiday_set
from fixed_income_service.domain.daycounts import DayCount

DAY_COUNTS = {
    DayCount.THIRTY_360_US: ql.Thirty360(ql.Thirty360.USA),
    DayCount.THIRTY_E_360: ql.Thirty360(ql.Thirty360.European),
    DayCount.ACT_360: ql.Actual360(),
    DayCount.ACT_365F: ql.Actual365Fixed(),
    DayCount.ACT_ACT_ICMA: ql.ActualActual(ql.ActualActual.ISMA),
    DayCount.ACT_ACT_ISDA: ql.ActualActual(ql.ActualActual.ISDA),
}
CONVENTIONS = {
    BusinessDayConvention.FOLLOWING: ql.Following,
    BusinessDayConvention.MODIFIED_FOLLOWING: ql.ModifiedFollowing,
    BusinessDayConvention.PRECEDING: ql.Preceding,
    BusinessDayConvention.UNADJUSTED: ql.Unadjusted,
}
FREQUENCIES = {1: ql.Annual, 2: ql.Semiannual, 4: ql.Quarterly, 12: ql.Monthly}


def qdate(day: date) -> ql.Date:
    return ql.Date(day.day, day.month, day.year)


def pydate(day: ql.Date) -> date:
    return date(day.year(), day.month(), day.dayOfMonth())


@cache
def calendar(name: str) -> ql.Calendar:
    bespoke = ql.BespokeCalendar(f"finfleet-{name}")
    bespoke.addWeekend(ql.Saturday)
    bespoke.addWeekend(ql.Sunday)
    for holiday in holiday_set(name):
        bespoke.addHoliday(qdate(holiday))
    return bespoke


def schedule(terms: BondTerms) -> ql.Schedule:
    """QuantLib's own backward schedule generation on the same terms."""
    return ql.Schedule(
        qdate(terms.issue_date),
        qdate(terms.maturity_date),
        ql.Period(FREQUENCIES[terms.frequency]),
        calendar(terms.calendar),
        ql.Unadjusted,
        ql.Unadjusted,
        ql.DateGeneration.Backward,
        terms.end_of_month,
        qdate(terms.first_coupon_date) if terms.first_coupon_date else ql.Date(),
        qdate(terms.penultimate_coupon_date) if terms.penultimate_coupon_date else ql.Date(),
    )


def bond(terms: BondTerms) -> ql.Bond:
    """The QuantLib bond with the same terms, per 100 face."""
    cal = calendar(terms.calendar)
    payment = CONVENTIONS[terms.payment_convention]
    if terms.bond_type is BondType.ZERO:
        return ql.ZeroCouponBond(
            0, cal, 100.0, qdate(terms.maturity_date), payment, terms.redemption,
            qdate(terms.issue_date),
        )  # fmt: skip
    ex_period = ql.Period(terms.ex_coupon_days, ql.Days) if terms.ex_coupon_days else ql.Period()
    dc = DAY_COUNTS[terms.day_count]
    sched = schedule(terms)
    if terms.bond_type is BondType.AMORTIZING:
        ends = [pydate(d) for d in list(sched)[1:]]
        notionals, outstanding = [], 100.0
        for end in ends:
            notionals.append(outstanding)
            outstanding -= sum(r.percent for r in terms.amortization if r.date == end)
        return ql.AmortizingFixedRateBond(
            0, notionals, sched, [terms.coupon_rate], dc, payment, qdate(terms.issue_date),
            ex_period, cal, ql.Unadjusted, False, [terms.redemption],
        )  # fmt: skip
    return ql.FixedRateBond(
        0, 100.0, sched, [terms.coupon_rate], dc, payment, terms.redemption,
        qdate(terms.issue_date), cal, ex_period, cal, ql.Unadjusted, False,
    )  # fmt: skip


def interest_rate(terms: BondTerms, rate: float) -> ql.InterestRate:
    return ql.InterestRate(
        rate, DAY_COUNTS[terms.day_count], ql.Compounded, FREQUENCIES[terms.frequency]
    )
