"""OIS and swap par rates, and linear-zero interpolation, against QuantLib's bootstraps on the
same instruments: `OISRateHelper` and `SwapRateHelper` (one curve discounts and forecasts),
`PiecewiseLogLinearDiscount` and `PiecewiseLinearZero`."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import QuantLib as ql  # noqa: N813

from fixed_income_service.domain.curve_shapes import LINEAR_ZERO, LOG_LINEAR
from fixed_income_service.domain.curves import Deposit, Instrument, ParBond, Swap, bootstrap
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.months import add_months
from fixed_income_service.tests import quantlib_oracle as oracle
from fixed_income_service.tests.unit.test_curves import DEPOSITS, PAR_BONDS, REFERENCE, par_terms

OIS = [(1, 0.0345), (2, 0.0352), (3, 0.0361), (5, 0.0374)]
SWAPS = [(7, 0.0388), (10, 0.0399), (20, 0.0412), (30, 0.0405)]
DAYS = [REFERENCE + timedelta(days=d) for d in range(0, 40 * 365, 31)]


def our_instruments(with_swaps: bool) -> list[Instrument]:
    found: list[Instrument] = [
        Deposit(add_months(REFERENCE, months), rate) for months, rate in DEPOSITS
    ]
    if with_swaps:
        found += [Swap(add_months(REFERENCE, 12 * y), r, 1, DayCount.ACT_360) for y, r in OIS]
        found += [
            Swap(add_months(REFERENCE, 12 * y), r, 2, DayCount.THIRTY_360_US) for y, r in SWAPS
        ]
    else:
        found += [ParBond(par_terms(years, rate)) for years, rate in PAR_BONDS]
    return found


def quantlib_helpers(with_swaps: bool) -> list[ql.RateHelper]:
    ql.Settings.instance().evaluationDate = oracle.qdate(REFERENCE)
    helpers = [
        ql.DepositRateHelper(
            ql.QuoteHandle(ql.SimpleQuote(rate)),
            ql.Period(months, ql.Months),
            0,
            ql.NullCalendar(),
            ql.Unadjusted,
            False,
            ql.Actual360(),
        )
        for months, rate in DEPOSITS
    ]
    if not with_swaps:
        for years, rate in PAR_BONDS:
            terms = par_terms(years, rate)
            helpers.append(
                ql.FixedRateBondHelper(
                    ql.QuoteHandle(ql.SimpleQuote(100.0)),
                    0,
                    100.0,
                    oracle.schedule(terms),
                    [rate],
                    oracle.DAY_COUNTS[terms.day_count],
                    ql.Following,
                    100.0,
                    oracle.qdate(REFERENCE),
                )
            )
        return helpers
    overnight = ql.OvernightIndex("ON", 0, ql.USDCurrency(), ql.NullCalendar(), ql.Actual360())
    helpers += [
        ql.OISRateHelper(
            0, ql.Period(years, ql.Years), ql.QuoteHandle(ql.SimpleQuote(rate)), overnight
        )
        for years, rate in OIS
    ]
    ibor = ql.IborIndex("IBOR3M", ql.Period(3, ql.Months), 0, ql.USDCurrency(),
                        ql.NullCalendar(), ql.Unadjusted, False, ql.Actual360())  # fmt: skip
    helpers += [
        ql.SwapRateHelper(
            ql.QuoteHandle(ql.SimpleQuote(rate)),
            ql.Period(years, ql.Years),
            ql.NullCalendar(),
            ql.Semiannual,
            ql.Unadjusted,
            ql.Thirty360(ql.Thirty360.USA),
            ibor,
        )
        for years, rate in SWAPS
    ]
    return helpers


def worst_gap(interpolation: str, quantlib_curve: type, with_swaps: bool) -> float:
    ours = bootstrap(REFERENCE, our_instruments(with_swaps), interpolation)
    theirs = quantlib_curve(oracle.qdate(REFERENCE), quantlib_helpers(with_swaps),
                            ql.Actual365Fixed())  # fmt: skip
    theirs.enableExtrapolation()
    mine = ours.discount(np.array([ours.time(day) for day in DAYS]))
    expected = np.array([theirs.discount(oracle.qdate(day)) for day in DAYS])
    return float(np.max(np.abs(mine - expected)))


def test_ois_and_swap_par_rates_bootstrap_as_quantlib_does_log_linear():
    assert worst_gap(LOG_LINEAR, ql.PiecewiseLogLinearDiscount, with_swaps=True) <= 1e-12


# QuantLib solves each linear-zero pillar's zero rate to 1e-12 (its bootstrap accuracy), which
# moves a 5-year discount factor by up to t·DF·1e-12; its zero rates agree with ours to 3e-13.
LINEAR_ZERO_DF_TOLERANCE = 2e-12


def test_ois_and_swap_par_rates_bootstrap_as_quantlib_does_linear_zero():
    gap = worst_gap(LINEAR_ZERO, ql.PiecewiseLinearZero, with_swaps=True)
    assert gap <= LINEAR_ZERO_DF_TOLERANCE


def test_deposits_and_par_bonds_bootstrap_as_quantlib_does_linear_zero():
    gap = worst_gap(LINEAR_ZERO, ql.PiecewiseLinearZero, with_swaps=False)
    assert gap <= LINEAR_ZERO_DF_TOLERANCE


def test_linear_zero_rates_and_forwards_agree_with_quantlib():
    ours = bootstrap(REFERENCE, our_instruments(True), LINEAR_ZERO)
    theirs = ql.PiecewiseLinearZero(oracle.qdate(REFERENCE), quantlib_helpers(True),
                                    ql.Actual365Fixed())  # fmt: skip
    theirs.enableExtrapolation()
    days = [REFERENCE + timedelta(days=d) for d in range(15, 40 * 365, 113)]
    times = np.array([ours.time(day) for day in days])
    zeros = [
        theirs.zeroRate(oracle.qdate(d), ql.Actual365Fixed(), ql.Continuous).rate() for d in days
    ]
    assert np.max(np.abs(ours.zero_rate(times) - zeros)) <= 1e-12
    forwards = [theirs.forwardRate(t, t, ql.Continuous).rate() for t in times]
    assert np.max(np.abs(ours.forward_rate(times) - forwards)) <= 1e-9
