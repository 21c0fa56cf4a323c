"""Nelson-Siegel and Svensson curves fitted to bond prices.

Each bond's model dirty price discounts its flows after the reference date (the settlement
date of the quotes) on the model's zero curve (continuous, ACT/365F); the fit minimises the
squared price errors weighted by `1 / modified duration` (normalised), as QuantLib's
`FittedBondDiscountCurve` weights them by default, so every bond counts about as much in yield.
Least squares (scipy's trust-region reflective) from a grid of starting decay times, keeping the
best; decay times lie in [0.05, 50] years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import product

import numpy as np
import numpy.typing as npt
from scipy.optimize import least_squares

from fixed_income_service.domain.analytics import Item, Quote, check_item
from fixed_income_service.domain.bonds import BondTerms
from fixed_income_service.domain.book import bond_arrays, build_book
from fixed_income_service.domain.curve_shapes import NELSON_SIEGEL, SVENSSON
from fixed_income_service.domain.curves import Curve
from fixed_income_service.domain.pricing import price_and_risk, solve_yields
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.domain.settled import settle

FloatArray = npt.NDArray[np.float64]
TAU_STARTS = (0.5, 1.5, 3.0, 6.0, 12.0)
TAU_BOUNDS = (0.05, 50.0)


@dataclass(frozen=True)
class QuotedBond:
    """A bond alive at the reference date and its clean price per 100."""

    terms: BondTerms
    clean_price: float


@dataclass(frozen=True)
class Fit:
    """The fitted curve and how well it prices the bonds (dirty, per 100 outstanding)."""

    curve: Curve
    model_prices: FloatArray
    market_prices: FloatArray
    weights: FloatArray


def fit_curve(reference_date: date, bonds: Sequence[QuotedBond], model: str) -> Fit:
    """The model's parameters that best price `bonds`; a refusal when they cannot be fitted."""
    wanted = 4 if model == NELSON_SIEGEL else 6
    if len(bonds) < wanted:
        raise Refusal("invalid-curve", f"a {model} fit needs at least {wanted} bonds")
    for bond in bonds:
        check_item(Item(bond.terms, Quote("clean_price", bond.clean_price)), reference_date)
    book = build_book([bond_arrays(b.terms) for b in bonds])
    settled = settle(book, reference_date.toordinal())
    market = np.array([b.clean_price for b in bonds]) + settled.accrued
    yields, exists = solve_yields(settled, market, "true")
    if not exists.all():
        raise Refusal("invalid-curve", "a bond's price has no yield")
    durations = price_and_risk(settled, yields, "true").modified_duration
    weights = 1.0 / np.maximum(durations, 1e-6)
    weights /= np.sqrt(np.sum(weights**2))
    times = (book.flows["pay"][settled.flow_index] - reference_date.toordinal()) / 365.0
    amounts = settled.amount

    def prices(params: FloatArray) -> FloatArray:
        curve = Curve(reference_date, (), (), model, tuple(float(p) for p in params))
        values = amounts * curve.discount(times)
        model_prices: FloatArray = np.add.reduceat(values, settled.starts) * settled.scale
        return model_prices

    def residuals(params: FloatArray) -> FloatArray:
        gaps: FloatArray = weights * (prices(params) - market)
        return gaps

    level = float(np.median(yields))
    slope = float(yields[np.argmin(times[settled.starts])]) - level
    best = None
    for start in _starts(model, level, slope):
        lower, upper = _bounds(model)
        found = least_squares(residuals, start, bounds=(lower, upper), xtol=1e-15, ftol=1e-15,
                              gtol=1e-15, max_nfev=2000)  # fmt: skip
        if best is None or found.cost < best.cost:
            best = found
    assert best is not None
    params = tuple(float(p) for p in best.x)
    curve = Curve(reference_date, (), (), model, params)
    return Fit(curve, prices(best.x), market, weights)


def _starts(model: str, level: float, slope: float) -> list[FloatArray]:
    if model == SVENSSON:
        return [
            np.array([level, slope, 0.0, tau1, 0.0, tau2])
            for tau1, tau2 in product(TAU_STARTS, TAU_STARTS)
            if tau2 > tau1
        ]
    return [np.array([level, slope, 0.0, tau]) for tau in TAU_STARTS]


def _bounds(model: str) -> tuple[list[float], list[float]]:
    lower = [-1.0, -1.0, -1.0, TAU_BOUNDS[0]]
    upper = [1.0, 1.0, 1.0, TAU_BOUNDS[1]]
    if model == SVENSSON:
        lower += [-1.0, TAU_BOUNDS[0]]
        upper += [1.0, TAU_BOUNDS[1]]
    return lower, upper
