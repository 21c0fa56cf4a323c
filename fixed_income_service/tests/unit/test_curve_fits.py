"""Nelson-Siegel and Svensson fits to bond prices against QuantLib's `FittedBondDiscountCurve`
with `NelsonSiegelFitting` / `SvenssonFitting`, an independent fit of the same quotes.

The quotes are prices on a known Svensson curve, moved by a deterministic few cents so that no
model prices them exactly. Both fits weight price errors by 1 / duration; they are compared by
the prices they give back (within FIT_TOLERANCE, 0.001 per 100) and by their weighted errors (ours
no worse than QuantLib's)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import QuantLib as ql  # noqa: N813

from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.curve_shapes import NELSON_SIEGEL, SVENSSON
from fixed_income_service.domain.curves import Curve
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.fitting import QuotedBond, fit_curve
from fixed_income_service.domain.months import add_months
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.tests import quantlib_oracle as oracle

REFERENCE = date(2030, 6, 14)
TRUE_CURVE = Curve(REFERENCE, (), (), SVENSSON, (0.042, -0.012, 0.01, 1.8, -0.008, 9.0))
FIT_TOLERANCE = 1e-3  # per 100, a tenth of a cent (seen: 5e-5 both models)


def quoted_bonds() -> list[QuotedBond]:
    found = []
    for index, months in enumerate((9, 18, 30, 42, 60, 84, 102, 120, 150, 180, 240, 300, 360)):
        coupon = 0.02 + 0.0025 * (index % 5)
        issue = add_months(REFERENCE, months - 12 * 30)
        terms = BondTerms(BondType.FIXED, max(issue, date(2001, 1, 15)),
                          add_months(REFERENCE, months), coupon, 2, DayCount.ACT_ACT_ICMA,
                          "WEEKENDS")  # fmt: skip
        bond = oracle.bond(terms)
        when = oracle.qdate(REFERENCE)
        ql.Settings.instance().evaluationDate = when
        handle = ql.YieldTermStructureHandle(
            ql.DiscountCurve(
                [when + d for d in range(0, 31 * 366, 7)],
                [float(TRUE_CURVE.discount(np.array([d / 365.0]))[0])
                 for d in range(0, 31 * 366, 7)],
                ql.Actual365Fixed(),
            )
        )  # fmt: skip
        clean = ql.BondFunctions.cleanPrice(bond, handle.currentLink(), when)
        noise = 0.04 * np.sin(3.0 * index + 1.0)  # a few cents either way
        found.append(QuotedBond(terms, round(clean + noise, 6)))
    return found


# QuantLib's simplex stops in local minima from a single start: it is started from a grid of
# guesses of its own (level 4 %, decay rates kappa = 1/tau) and its lowest cost is kept.
KAPPAS = (0.08, 0.2, 0.5, 1.0, 2.0)
SVENSSON_KAPPAS = (0.2, 0.5, 1.0)  # a Svensson simplex run is slow: three pairs


def quantlib_fit(bonds: list[QuotedBond], model: str) -> list[float]:
    when = oracle.qdate(REFERENCE)
    ql.Settings.instance().evaluationDate = when
    helpers = [
        ql.BondHelper(ql.QuoteHandle(ql.SimpleQuote(b.clean_price)), oracle.bond(b.terms))
        for b in bonds
    ]
    if model == NELSON_SIEGEL:
        guesses = [[0.04, -0.01, 0.0, k] for k in KAPPAS]
    else:
        pairs = [(k1, k2) for k1 in SVENSSON_KAPPAS for k2 in SVENSSON_KAPPAS if k2 < k1]
        guesses = [[0.04, -0.01, 0.0, k1, 0.0, k2] for k1, k2 in pairs]
    best, best_cost = None, float("inf")
    for guess in guesses:
        method = ql.NelsonSiegelFitting() if model == NELSON_SIEGEL else ql.SvenssonFitting()
        curve = ql.FittedBondDiscountCurve(
            when, helpers, ql.Actual365Fixed(), method, 1e-12, 50_000, ql.Array(guess)
        )
        cost = curve.fitResults().minimumCostValue()
        if cost < best_cost:
            best, best_cost = curve, cost
    return [ql.BondFunctions.cleanPrice(oracle.bond(b.terms), best, when) for b in bonds]


@pytest.mark.parametrize("model", [NELSON_SIEGEL, SVENSSON])
def test_a_fit_prices_the_bonds_as_quantlibs_fit_does(model):
    bonds = quoted_bonds()
    fit = fit_curve(REFERENCE, bonds, model)
    accrued = fit.market_prices - np.array([b.clean_price for b in bonds])
    ours = fit.model_prices - accrued
    theirs = np.array(quantlib_fit(bonds, model))
    market = np.array([b.clean_price for b in bonds])
    assert np.max(np.abs(ours - theirs)) <= FIT_TOLERANCE
    our_error = np.sum((fit.weights * (ours - market)) ** 2)
    their_error = np.sum((fit.weights * (theirs - market)) ** 2)
    assert our_error <= their_error * (1 + 1e-6)


def test_too_few_bonds_for_the_model_is_refused():
    with pytest.raises(Refusal) as refused:
        fit_curve(REFERENCE, quoted_bonds()[:5], SVENSSON)
    assert refused.value.kind == "invalid-curve"
