"""Monotone convex curves: the interpolation against QuantLib's `ConvexMonotoneInterpolation`
set to the basic Hagan-West method (quadraticity 0, monotonicity 1, no positivity floor), and
the bootstrap checked by QuantLib repricing every instrument on our curve (OIS and swap fair
rates, deposit rates, par bonds' clean prices).

QuantLib's `PiecewiseConvexMonotone*` curves are not the oracle for the bootstrap: they blend
in a quadratic (0.3) and damp monotonicity (0.7) by default, and their bootstrap freezes the
sections already solved while it adds pillars, so their curve between pillars is not the
interpolation of their final pillars; ours is (every instrument reprices on it exactly)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import QuantLib as ql  # noqa: N813

from fixed_income_service.domain.curve_shapes import MONOTONE_CONVEX
from fixed_income_service.domain.curves import Curve, bootstrap
from fixed_income_service.domain.monotone_convex import monotone_convex
from fixed_income_service.tests import quantlib_oracle as oracle
from fixed_income_service.tests.unit.test_curve_bootstraps import OIS, SWAPS, our_instruments
from fixed_income_service.tests.unit.test_curves import DEPOSITS, PAR_BONDS, REFERENCE, par_terms


def test_forwards_agree_with_quantlibs_basic_hagan_west_on_random_curves():
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(2, 12))
        knots = np.concatenate(([0.0], np.cumsum(rng.uniform(0.1, 5.0, n))))
        averages = rng.uniform(-0.01, 0.08, n)  # negative forwards too
        logs = np.concatenate(([0.0], -np.cumsum(averages * np.diff(knots))))
        times = np.linspace(0.0, knots[-1], 301)
        _, forwards = monotone_convex(knots, logs, times)
        theirs = ql.ConvexMonotoneInterpolation(
            ql.Array(list(knots)), ql.Array([0.0, *averages]), 0.0, 1.0, False
        )
        expected = np.array([theirs(float(t), True) for t in times])
        assert np.max(np.abs(forwards - expected)) <= 1e-12
        # Each interval keeps its average forward: the pillars' discount factors are exact.
        at_pillars, _ = monotone_convex(knots, logs, knots)
        assert np.max(np.abs(at_pillars - logs)) <= 1e-14


def quantlib_par_rates(curve: ql.YieldTermStructure) -> dict[str, list[float]]:
    """Every instrument's par rate (a bond's clean price) as QuantLib prices it on `curve`."""
    ql.Settings.instance().evaluationDate = oracle.qdate(REFERENCE)
    handle = ql.YieldTermStructureHandle(curve)
    when = oracle.qdate(REFERENCE)
    deposits = [
        curve.forwardRate(when, when + ql.Period(months, ql.Months), ql.Actual360(),
                          ql.Simple).rate()
        for months, _ in DEPOSITS
    ]  # fmt: skip
    overnight = ql.OvernightIndex("ON", 0, ql.USDCurrency(), ql.NullCalendar(), ql.Actual360(),
                                  handle)  # fmt: skip
    ois = [
        ql.MakeOIS(ql.Period(years, ql.Years), overnight, 0.0, ql.Period(0, ql.Days),
                   settlementDays=0, discountingTermStructure=handle).fairRate()
        for years, _ in OIS
    ]  # fmt: skip
    ibor = ql.IborIndex(
        "IBOR3M",
        ql.Period(3, ql.Months),
        0,
        ql.USDCurrency(),
        ql.NullCalendar(),
        ql.Unadjusted,
        False,
        ql.Actual360(),
        handle,
    )
    swaps = [
        ql.MakeVanillaSwap(
            ql.Period(years, ql.Years), ibor, 0.0, ql.Period(0, ql.Days), settlementDays=0,
            fixedLegTenor=ql.Period(6, ql.Months), fixedLegDayCount=ql.Thirty360(ql.Thirty360.USA),
            fixedLegConvention=ql.Unadjusted, fixedLegCalendar=ql.NullCalendar(),
            floatingLegCalendar=ql.NullCalendar(), discountingTermStructure=handle,
        ).fairRate()
        for years, _ in SWAPS
    ]  # fmt: skip
    bonds = [
        ql.BondFunctions.cleanPrice(oracle.bond(par_terms(years, rate)), curve, when)
        for years, rate in PAR_BONDS
    ]
    return {"deposits": deposits, "ois": ois, "swaps": swaps, "par_bonds": bonds}


def sampled(curve: Curve) -> ql.YieldTermStructure:
    """Our discount factor on every day for 31 years: QuantLib's curve is exact on those days."""
    days = [REFERENCE + timedelta(days=d) for d in range(0, 31 * 366)]
    factors = curve.discount(np.array([curve.time(day) for day in days]))
    return ql.DiscountCurve([oracle.qdate(day) for day in days], list(factors),
                            ql.Actual365Fixed())  # fmt: skip


def test_every_instrument_reprices_on_the_bootstrapped_curve_as_quantlib_prices_it():
    with_swaps = quantlib_par_rates(sampled(bootstrap(REFERENCE, our_instruments(True),
                                                      MONOTONE_CONVEX)))  # fmt: skip
    with_bonds = quantlib_par_rates(sampled(bootstrap(REFERENCE, our_instruments(False),
                                                      MONOTONE_CONVEX)))  # fmt: skip
    quoted = {"deposits": [r for _, r in DEPOSITS], "ois": [r for _, r in OIS],
              "swaps": [r for _, r in SWAPS]}  # fmt: skip
    for kind, rates in quoted.items():
        priced = with_swaps[kind] if kind != "deposits" else with_bonds[kind]
        assert np.max(np.abs(np.array(priced) - rates)) <= 1e-12, kind
    assert np.max(np.abs(np.array(with_bonds["par_bonds"]) - 100.0)) <= 1e-10


def test_the_forward_curve_is_continuous_across_pillars():
    ours = bootstrap(REFERENCE, our_instruments(True), MONOTONE_CONVEX)
    for pillar in ours.times[1:-1]:
        left, right = ours.forward_rate(np.array([pillar - 1e-9, pillar + 1e-9]))
        assert abs(left - right) <= 1e-7
