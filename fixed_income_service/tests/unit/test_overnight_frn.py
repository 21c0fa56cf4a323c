"""FRNs on a compounded overnight index with a lookback against QuantLib: each coupon against
`OvernightIndexedCoupon` (lookback days, no observation shift) forecast on the same curve, and
the note's price at a z-spread against a QuantLib bond on an `OvernightLeg`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import QuantLib as ql  # noqa: N813

from fixed_income_service.domain.analytics import Item, Quote, analyse
from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.calendars import BusinessDayConvention
from fixed_income_service.domain.cashflows import bond_cashflows
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.overnight import project
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.tests import quantlib_oracle as oracle
from fixed_income_service.tests.unit.test_curves import REFERENCE, our_curve, quantlib_curve

FRNS = [
    BondTerms(BondType.FRN, REFERENCE, date(2035, 6, 14), 0.0, 4, DayCount.ACT_360, "US-GOVT",
              spread=0.0045, lookback_days=2),
    BondTerms(BondType.FRN, date(2030, 1, 31), date(2033, 1, 31), 0.0, 12, DayCount.ACT_360,
              "TARGET", BusinessDayConvention.MODIFIED_FOLLOWING, spread=-0.001, lookback_days=5),
    BondTerms(BondType.FRN, date(2029, 11, 20), date(2032, 5, 20), 0.0, 2, DayCount.ACT_365F,
              "UK", spread=0.0, lookback_days=0),
]  # fmt: skip


def quantlib_index(terms: BondTerms) -> ql.OvernightIndex:
    """An overnight index on the bond's calendar and day count, forecast on QuantLib's curve;
    fixings before the curve's date are its first overnight rate (the documented rule)."""
    ql.Settings.instance().evaluationDate = oracle.qdate(REFERENCE)
    curve = quantlib_curve()
    cal = oracle.calendar(terms.calendar)
    index = ql.OvernightIndex(
        f"ON-{terms.calendar}-{terms.day_count}", 0, ql.USDCurrency(), cal,
        oracle.DAY_COUNTS[terms.day_count], ql.YieldTermStructureHandle(curve),
    )  # fmt: skip
    first = index.fixing(oracle.qdate(REFERENCE))
    day = terms.issue_date - timedelta(days=20)
    while day < REFERENCE:
        if cal.isBusinessDay(oracle.qdate(day)):
            index.addFixing(oracle.qdate(day), first, True)
        day += timedelta(days=1)
    return index


def test_each_coupon_is_quantlibs_overnight_indexed_coupon_with_lookback():
    for terms in FRNS:
        index = quantlib_index(terms)
        flows = [f for f in bond_cashflows(project(terms, our_curve())) if f.kind == "coupon"]
        for flow in flows:
            if flow.accrual_end <= REFERENCE:
                continue
            coupon = ql.OvernightIndexedCoupon(
                oracle.qdate(flow.payment_date), 100.0, oracle.qdate(flow.accrual_start),
                oracle.qdate(flow.accrual_end), index, 1.0, terms.spread, ql.Date(), ql.Date(),
                oracle.DAY_COUNTS[terms.day_count], False, ql.RateAveraging.Compound,
                terms.lookback_days, 0, False,
            )  # fmt: skip
            assert flow.amount == pytest.approx(coupon.amount(), abs=1e-11), flow


def quantlib_frn(terms: BondTerms) -> ql.Bond:
    index = quantlib_index(terms)
    cal = oracle.calendar(terms.calendar)
    convention = oracle.CONVENTIONS[terms.payment_convention]
    # Accrual dates moved by the payment convention, as the engine accrues an FRN.
    unadjusted = oracle.schedule(terms)
    schedule = ql.Schedule(
        [cal.adjust(d, convention) for d in unadjusted], cal, convention, convention,
        ql.Period(oracle.FREQUENCIES[terms.frequency]), ql.DateGeneration.Backward, False,
    )  # fmt: skip
    leg = ql.OvernightLeg(
        [100.0], schedule, index, oracle.DAY_COUNTS[terms.day_count], convention,
        [1.0], [terms.spread], False, ql.RateAveraging.Compound, cal, 0, terms.lookback_days,
        0, False,
    )  # fmt: skip
    # Given its coupons alone, QuantLib's Bond adds the redemption of their notional.
    return ql.Bond(0, cal, oracle.qdate(terms.issue_date), leg)


def test_an_frn_at_a_z_spread_prices_as_quantlib_prices_it():
    settlement = date(2030, 9, 3)
    for terms in FRNS:
        [answer] = analyse(
            [Item(terms, Quote("z_spread", 0.0075), our_curve())], settlement, "true",
            ["clean_price", "accrued_interest"],
        )  # fmt: skip
        assert isinstance(answer, dict), answer
        bond = quantlib_frn(terms)
        when = oracle.qdate(settlement)
        expected = ql.BondFunctions.cleanPrice(
            bond, quantlib_curve(), 0.0075, ql.Actual365Fixed(), ql.Continuous, ql.Annual, when
        )
        assert answer["clean_price"] == pytest.approx(expected, abs=1e-9)
        assert answer["accrued_interest"] == pytest.approx(
            ql.BondFunctions.accruedAmount(bond, when), abs=1e-9
        )


def test_an_frn_without_a_curve_is_refused_within_its_batch():
    [answer] = analyse([Item(FRNS[0], Quote("clean_price", 100.0))], REFERENCE, "true", ["yield"])
    assert isinstance(answer, Refusal)
    assert answer.kind == "curve-required"
