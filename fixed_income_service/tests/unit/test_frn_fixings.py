"""FRN coupons and accrued from stored fixings against QuantLib's `OvernightIndexedCoupon`
given the same fixings (lookback days, no observation shift, compound averaging), with the
evaluation date after the period so QuantLib reads every rate from its fixings."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
import QuantLib as ql  # noqa: N813

from fixed_income_service.domain.bonds import BondTerms
from fixed_income_service.domain.calendars import is_business_day
from fixed_income_service.domain.cashflows import bond_cashflows
from fixed_income_service.domain.fixings import (
    MissingFixings,
    realise,
    realised_accrued,
    realised_rate,
)
from fixed_income_service.tests import quantlib_oracle as oracle
from fixed_income_service.tests.unit.test_overnight_frn import FRNS

TODAY = date(2031, 3, 20)


def stored_fixings(terms: BondTerms, seed: int) -> dict[date, Decimal]:
    """A rate to 5 decimal places of a percent for every business day of the FRN's life."""
    rng, fixings = random.Random(seed), {}
    day = terms.issue_date - timedelta(days=31)
    while day <= TODAY:
        if is_business_day(terms.calendar, day):
            fixings[day] = Decimal(rng.randint(-500, 9000)) / Decimal(1_000_000) + Decimal("0.01")
        day += timedelta(days=1)
    return fixings


def quantlib_index(terms: BondTerms, fixings: dict[date, Decimal]) -> ql.OvernightIndex:
    ql.Settings.instance().evaluationDate = oracle.qdate(TODAY + timedelta(days=40))
    index = ql.OvernightIndex(
        f"FIX-{terms.calendar}-{terms.day_count}", 0, ql.USDCurrency(),
        oracle.calendar(terms.calendar), oracle.DAY_COUNTS[terms.day_count],
    )  # fmt: skip
    index.clearFixings()
    for day, rate in fixings.items():
        index.addFixing(oracle.qdate(day), float(rate), True)
    return index


def quantlib_coupon(terms, index, start: date, end: date, pay: date) -> ql.OvernightIndexedCoupon:
    return ql.OvernightIndexedCoupon(
        oracle.qdate(pay), 100.0, oracle.qdate(start), oracle.qdate(end), index, 1.0,
        terms.spread, ql.Date(), ql.Date(), oracle.DAY_COUNTS[terms.day_count], False,
        ql.RateAveraging.Compound, terms.lookback_days, 0, False,
    )  # fmt: skip


@pytest.mark.parametrize("which", range(len(FRNS)))
def test_every_coupon_paid_from_stored_fixings_is_quantlibs(which):
    terms = FRNS[which]
    fixings = stored_fixings(terms, which)
    index = quantlib_index(terms, fixings)
    realised = realise(terms, fixings, TODAY)
    assert realised.waiting == ()
    paid = [
        f for f in bond_cashflows(realised.terms)
        if f.kind == "coupon" and f.accrual_end <= TODAY
    ]  # fmt: skip
    assert paid
    for flow in paid:
        coupon = quantlib_coupon(
            terms, index, flow.accrual_start, flow.accrual_end, flow.payment_date
        )
        assert flow.amount == pytest.approx(coupon.amount(), abs=1e-11), flow


@pytest.mark.parametrize("which", range(len(FRNS)))
def test_accrued_from_stored_fixings_is_quantlibs_accrued_amount(which):
    terms = FRNS[which]
    fixings = stored_fixings(terms, which)
    index = quantlib_index(terms, fixings)
    flow = next(
        f for f in bond_cashflows(terms)
        if f.kind == "coupon" and f.accrual_start < TODAY < f.accrual_end
    )  # fmt: skip
    coupon = quantlib_coupon(terms, index, flow.accrual_start, flow.accrual_end, flow.payment_date)
    expected = coupon.accruedAmount(oracle.qdate(TODAY))
    assert realised_accrued(terms, fixings, TODAY) == pytest.approx(expected, abs=1e-11)


def test_a_period_short_of_a_fixing_waits_and_names_it():
    terms = FRNS[0]
    fixings = stored_fixings(terms, 0)
    realised = realise(terms, fixings, TODAY)
    first_end = next(f.accrual_end for f in bond_cashflows(realised.terms) if f.kind == "coupon")
    gap = max(day for day in fixings if day < first_end - timedelta(days=10))
    del fixings[gap]
    short = realise(terms, fixings, TODAY)
    assert short.waiting == ((first_end, (gap,)),)
    [unpaid, *rest] = [f for f in bond_cashflows(short.terms) if f.kind == "coupon"]
    assert unpaid.amount == 0.0
    assert rest[0].amount > 0.0
    with pytest.raises(MissingFixings) as refused:
        realised_rate(terms, fixings, terms.issue_date, first_end)
    assert refused.value.kind == "fixing-missing"
    assert refused.value.missing == (gap,)
