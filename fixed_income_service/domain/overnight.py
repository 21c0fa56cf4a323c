"""Floating-rate notes on a compounded overnight index with a lookback, projected on a curve.

A period's index rate is `(Π (1 + r_i · τ_i) - 1) / τ` over its interest days: the period's
start, every business day of the bond's calendar after it and before the period's end, and the
end (an FRN's accrual dates are business days: the payment convention moves them); `τ_i` the
day count's fraction from `d_i` to the next one, `τ` their sum,
and `r_i` the overnight rate fixed `lookback_days` business days before `d_i` (no observation
shift: the weights stay those of the interest days), as QuantLib's `OvernightIndexedCoupon`
with lookback days and `applyObservationShift = false` has it. The curve forecasts each
overnight rate from its discount factors, `(DF(f) / DF(next business day) - 1) / τ`.

In projection, an overnight rate fixed before the curve's reference date is taken as the
curve's first one (its rate for the reference date); realised coupons, from the stored fixings,
are `fixings.py`'s. A period that ended by the
curve's reference date is not projected (its rate is 0: it is paid, never priced).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

import numpy as np

from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.calendars import (
    BusinessDayConvention,
    adjust,
    business_days_before,
    is_business_day,
)
from fixed_income_service.domain.cashflows import bond_cashflows, bond_schedule
from fixed_income_service.domain.curves import Curve
from fixed_income_service.domain.daycounts import year_fraction

FOLLOWING = BusinessDayConvention.FOLLOWING


def project(terms: BondTerms, curve: Curve) -> BondTerms:
    """The FRN's terms with every period's rate (index + spread) projected on `curve`."""
    if terms.bond_type is not BondType.FRN:
        return terms
    dates = [
        adjust(terms.calendar, d, terms.payment_convention) for d in bond_schedule(terms).dates
    ]
    rates = tuple(
        0.0
        if end <= curve.reference_date
        else compounded_rate(terms, curve, start, end) + terms.spread
        for start, end in pairwise(dates)
    )
    return replace(terms, projected_rates=rates)


def accrued_interest(terms: BondTerms, curve: Curve, settlement: date) -> float:
    """Interest accrued per 100 at `settlement`: the overnight rates compounded from the
    period's start to the settlement date (not the whole period's rate prorated), plus the
    spread, over the day count's fraction to date (as QuantLib's overnight coupons accrue)."""
    for flow in bond_cashflows(project(terms, curve)):
        if flow.kind == "coupon" and flow.accrual_start < settlement <= flow.accrual_end:
            if settlement == flow.accrual_end:
                return flow.amount
            to_date = compounded_rate(terms, curve, flow.accrual_start, settlement)
            fraction = year_fraction(terms.day_count, flow.accrual_start, settlement,
                                     flow.reference_start, flow.reference_end)  # fmt: skip
            return flow.outstanding * (to_date + terms.spread) * fraction
    return 0.0


def compounded_rate(terms: BondTerms, curve: Curve, start: date, end: date) -> float:
    """The compounded overnight rate of the period from `start` to `end` (annual decimal)."""
    _, fixings, weights = interest_days(terms, start, end)
    rates = _overnight_rates(terms, curve, fixings)
    compound = float(np.prod(1.0 + rates * weights))
    return (compound - 1.0) / float(np.sum(weights))


def interest_days(
    terms: BondTerms, start: date, end: date
) -> tuple[list[date], list[date], np.ndarray]:
    """The period's interest days (start, each business day before the end), the fixing date
    of each (`lookback_days` business days earlier) and each one's day-count weight."""
    calendar = terms.calendar
    value_dates = [start]
    day = start + timedelta(days=1)
    while day < end:
        if is_business_day(calendar, day):
            value_dates.append(day)
        day += timedelta(days=1)
    value_dates.append(end)
    weights = np.array(
        [year_fraction(terms.day_count, a, b, a, b) for a, b in pairwise(value_dates)]
    )
    fixings = [business_days_before(calendar, d, terms.lookback_days) for d in value_dates[:-1]]
    return value_dates[:-1], fixings, weights


def _overnight_rates(terms: BondTerms, curve: Curve, fixings: list[date]) -> np.ndarray:
    known = [max(f, curve.reference_date) for f in fixings]
    starts = [adjust(terms.calendar, f, FOLLOWING) for f in known]
    ends = [adjust(terms.calendar, s + timedelta(days=1), FOLLOWING) for s in starts]
    t0 = np.array([curve.time(s) for s in starts])
    t1 = np.array([curve.time(e) for e in ends])
    spans = np.array(
        [year_fraction(terms.day_count, s, e, s, e) for s, e in zip(starts, ends, strict=True)]
    )
    rates: np.ndarray = (curve.discount(t0) / curve.discount(t1) - 1.0) / spans
    return rates
