"""Curves bootstrapped from deposits and par bonds against QuantLib's
PiecewiseLogLinearDiscount on the same instruments."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
import QuantLib as ql  # noqa: N813

from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.curves import Deposit, ParBond, bootstrap
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.months import add_months
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.tests import quantlib_oracle as oracle

REFERENCE = date(2030, 6, 14)
DEPOSITS = [(1, 0.031), (3, 0.032), (6, 0.0335)]
PAR_BONDS = [(2, 0.034), (3, 0.035), (5, 0.037), (7, 0.038), (10, 0.0395), (30, 0.041)]


def par_terms(years, rate):
    return BondTerms(BondType.FIXED, REFERENCE, add_months(REFERENCE, 12 * years), rate, 2,
                     DayCount.THIRTY_360_US, "TARGET")  # fmt: skip


def our_curve():
    instruments: list[Deposit | ParBond] = [
        Deposit(add_months(REFERENCE, months), rate) for months, rate in DEPOSITS
    ]
    instruments += [ParBond(par_terms(years, rate)) for years, rate in PAR_BONDS]
    return bootstrap(REFERENCE, instruments)


def quantlib_curve():
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
    curve = ql.PiecewiseLogLinearDiscount(oracle.qdate(REFERENCE), helpers, ql.Actual365Fixed())
    curve.enableExtrapolation()
    return curve


def test_discount_factors_agree_with_quantlib_to_1e_12_out_to_40_years():
    ours, theirs = our_curve(), quantlib_curve()
    days = [REFERENCE + timedelta(days=d) for d in range(0, 40 * 365, 29)]
    mine = ours.discount(np.array([ours.time(day) for day in days]))
    expected = [theirs.discount(oracle.qdate(day)) for day in days]
    assert np.max(np.abs(mine - expected)) <= 1e-12


def test_zero_and_forward_rates_agree_with_quantlib():
    ours, theirs = our_curve(), quantlib_curve()
    days = [REFERENCE + timedelta(days=d) for d in range(15, 30 * 365, 113)]
    times = np.array([ours.time(day) for day in days])
    zeros = [
        theirs.zeroRate(oracle.qdate(d), ql.Actual365Fixed(), ql.Continuous).rate() for d in days
    ]
    assert np.max(np.abs(ours.zero_rate(times) - zeros)) <= 1e-12
    # Between pillars the instantaneous forward is flat: QuantLib's at mid-segment is the same.
    forwards = [theirs.forwardRate(t, t, ql.Continuous).rate() for t in times]
    assert np.max(np.abs(ours.forward_rate(times) - forwards)) <= 1e-9


def test_two_instruments_on_one_pillar_are_refused():
    with pytest.raises(Refusal) as refused:
        bootstrap(REFERENCE, [Deposit(add_months(REFERENCE, 3), 0.03)] * 2)
    assert refused.value.kind == "invalid-curve"
