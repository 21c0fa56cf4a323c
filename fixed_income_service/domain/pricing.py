"""Price and risk from yields, yields from prices: every bond of a settled book at once.

With x = ln(1 + y/f), a bond's dirty price is P(x) = Σ c·exp(-f·t·x): decreasing and convex
in x whenever its flows and times are positive, so Newton on x from any start approaches the
root from one side and converges; any bond left unconverged is bisected, and a price outside
P's range has no yield.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fixed_income_service.domain.settled import SettledBook

FloatArray = npt.NDArray[np.float64]
NEWTON_STEPS = 50
X_BOUND = 30.0  # |ln(1 + y/f)| ≤ 30: yields from -100 % up to ~10^13 %
TOLERANCE = 1e-15


@dataclass(frozen=True)
class PriceRisk:
    """Per bond, per 100 outstanding face: dirty price and its yield sensitivities."""

    dirty_price: FloatArray
    modified_duration: FloatArray
    macaulay_duration: FloatArray
    convexity: FloatArray
    dv01: FloatArray


def _sum(book: SettledBook, values: FloatArray) -> FloatArray:
    return np.add.reduceat(values, book.starts)


def price_and_risk(book: SettledBook, yields: FloatArray, convention: str) -> PriceRisk:
    """Dirty price, durations, convexity and DV01 of every bond at its yield."""
    f = book.frequency
    t = book.times(convention)
    growth = 1.0 + yields / f
    f_flow = f[book.flow_bond]
    discounted = book.amount * np.exp(-f_flow * t * np.log(growth)[book.flow_bond])
    price = _sum(book, discounted)
    slope = _sum(book, discounted * t) / growth
    curvature = _sum(book, discounted * t * (t + 1.0 / f_flow)) / (growth * growth)
    with np.errstate(divide="ignore", invalid="ignore"):
        modified = np.where(price != 0.0, slope / price, 0.0)
        convexity = np.where(price != 0.0, curvature / price, 0.0)
    dirty = price * book.scale
    return PriceRisk(
        dirty_price=dirty,
        modified_duration=modified,
        macaulay_duration=modified * growth,
        convexity=convexity,
        dv01=modified * dirty * 1e-4,
    )


def solve_yields(
    book: SettledBook, dirty_prices: FloatArray, convention: str, guess: float = 0.05
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """The yield of each bond at its dirty price (per 100 outstanding), and which exist.

    A NaN price asks for no yield (that bond is quoted by yield): it is skipped.
    """
    f = book.frequency
    t = book.times(convention)
    target = dirty_prices / book.scale
    f_flow = f[book.flow_bond]
    exponent = -f_flow * t
    x = np.log1p(guess / f)
    skipped = np.isnan(target)
    done = skipped.copy()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(NEWTON_STEPS):
            discounted = book.amount * np.exp(exponent * x[book.flow_bond])
            gap = _sum(book, discounted) - target
            slope = _sum(book, discounted * exponent)
            step = np.where(done, 0.0, gap / slope)
            x = np.clip(x - step, -X_BOUND, X_BOUND)
            done |= np.abs(step) <= TOLERANCE * (1.0 + np.abs(x))
            if done.all():
                break
        bad = (~done | ~np.isfinite(x)) & ~skipped
        if bad.any():
            x[bad] = _bisect(book, exponent, target, np.flatnonzero(bad))
    exists = np.isfinite(x) & (target > 0.0)
    return f * np.expm1(x), exists


def _bisect(
    book: SettledBook, exponent: FloatArray, target: FloatArray, bonds: npt.NDArray[np.int64]
) -> FloatArray:
    """Bisection on x for the bonds Newton left; NaN where P never meets the target."""
    found = np.full(len(bonds), np.nan)
    ends = np.append(book.starts[1:], len(book.amount))
    for position, bond in enumerate(bonds):
        rows = slice(book.starts[bond], ends[bond])
        found[position] = _bisect_one(book.amount[rows], exponent[rows], float(target[bond]))
    return found


def _bisect_one(amounts: FloatArray, exponents: FloatArray, wanted: float) -> float:
    def gap(x: float) -> float:
        return float(np.sum(amounts * np.exp(exponents * x))) - wanted

    lo, hi = -X_BOUND, X_BOUND
    if not gap(lo) > 0.0 > gap(hi):
        return float("nan")
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if gap(mid) > 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-16 * (1.0 + abs(mid)):
            break
    return 0.5 * (lo + hi)
