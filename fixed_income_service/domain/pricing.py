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
# |Δx| below this, Newton's next step would be below rounding: y is exact to ~1e-14 · f.
TOLERANCE = 1e-14


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
    # A yield just above -frequency overflows: the figures come out infinite and the caller
    # refuses that item.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        # In place where it can be: one scratch array of flows instead of one per step.
        discounted = book.per_flow(-f * np.log(growth))
        np.exp(np.multiply(discounted, t, out=discounted), out=discounted)
        discounted *= book.amount
        price = _sum(book, discounted)
        weighted = np.multiply(discounted, t, out=discounted)
        timed = _sum(book, weighted)
        slope = timed / growth
        # Σ d·t·(t + 1/f), with the per-bond 1/f taken out of the sum.
        squared = np.multiply(weighted, t, out=weighted)
        curvature = (_sum(book, squared) + timed / f) / (growth * growth)
        modified = np.where(price != 0.0, slope / price, 0.0)
        convexity = np.where(price != 0.0, curvature / price, 0.0)
    macaulay = modified * growth
    if convention == "street" and book.final_period.any():
        price, modified, macaulay, convexity = _final_period(
            book, yields, price, modified, macaulay, convexity
        )
    dirty = price * book.scale
    return PriceRisk(
        dirty_price=dirty,
        modified_duration=modified,
        macaulay_duration=macaulay,
        convexity=convexity,
        dv01=modified * dirty * 1e-4,
    )


def _final_period(
    book: SettledBook, yields: FloatArray, *figures: FloatArray
) -> tuple[FloatArray, ...]:
    """Street convention in the last period: P = cash / (1 + y·t), simple interest (SIFMA,
    Excel's PRICE with one period left); t is the period's share still to run, in years."""
    price, modified, macaulay, convexity = (figure.copy() for figure in figures)
    rows = np.flatnonzero(book.final_period)
    t = book.street_time[book.starts[rows]]
    cash = _sum(book, book.amount)[rows]
    base = 1.0 + yields[rows] * t
    with np.errstate(divide="ignore", invalid="ignore"):
        # A yield that makes 1 + y·t non-positive prices nothing: infinite, refused upstream.
        price[rows] = np.where(base > 0.0, cash / base, np.inf)
        modified[rows] = t / base
        macaulay[rows] = t
        convexity[rows] = 2.0 * t * t / (base * base)
    return price, modified, macaulay, convexity


def solve_yields(
    book: SettledBook, dirty_prices: FloatArray, convention: str, guess: float = 0.05
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """The yield of each bond at its dirty price (per 100 outstanding), and which exist.

    A NaN price asks for no yield (that bond is quoted by yield): it is skipped.
    """
    f = book.frequency
    target = dirty_prices / book.scale
    exponent = book.per_flow(-f) * book.times(convention)
    final = book.final_period if convention == "street" else np.zeros(len(f), dtype=bool)
    final_yields = _final_period_yields(book, target, final)
    skipped = np.isnan(target) | final
    active = np.flatnonzero(~skipped)
    rows = _Rows.of(book, exponent, active)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        # Start where all the bond's cash, paid at its cash-weighted mean time, would be worth
        # the price: exact for a zero, within a few basis points for most coupon bonds.
        cash = np.add.reduceat(rows.amount, rows.starts) if len(active) else np.zeros(0)
        weighted = rows.amount * rows.exponent
        mean_exponent = np.add.reduceat(weighted, rows.starts) / cash if len(active) else cash
        x = np.log1p(guess / f)
        start = np.log(target[active] / cash) / mean_exponent
        x[active] = np.where(np.isfinite(start), np.clip(start, -1.0, 1.0), x[active])
        for _ in range(NEWTON_STEPS):
            if not len(active):
                break
            discounted = rows.amount * np.exp(rows.exponent * x[active][rows.bond])
            gap = np.add.reduceat(discounted, rows.starts) - target[active]
            slope = np.add.reduceat(discounted * rows.exponent, rows.starts)
            step = gap / slope
            x[active] = np.clip(x[active] - step, -X_BOUND, X_BOUND)
            going = ~(np.abs(step) <= TOLERANCE)
            if going.sum() < 0.7 * len(going):
                # Converged bonds leave the arrays, so the stragglers cost only their own rows.
                active = active[going]
                rows = _Rows.of(book, exponent, active)
        left = active[:] if len(active) else np.zeros(0, dtype=np.int64)
        bad = np.union1d(left, np.flatnonzero(~np.isfinite(x) & ~skipped)).astype(np.int64)
        if len(bad):
            x[bad] = _bisect(book, exponent, target, bad)
    yields = np.where(final, final_yields, f * np.expm1(x))
    exists = np.isfinite(yields) & (target > 0.0)
    return yields, exists


def _final_period_yields(
    book: SettledBook, target: FloatArray, final: npt.NDArray[np.bool_]
) -> FloatArray:
    """The simple-interest yield of bonds in their last period: (cash / price - 1) / t."""
    found = np.full(len(target), np.nan)
    rows = np.flatnonzero(final & np.isfinite(target))
    if len(rows):
        t = book.street_time[book.starts[rows]]
        cash = _sum(book, book.amount)[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            found[rows] = np.where(t > 0.0, (cash / target[rows] - 1.0) / t, np.nan)
    return found


@dataclass(frozen=True)
class _Rows:
    """The flows of some bonds of a book, with each row's position in that list of bonds."""

    amount: FloatArray
    exponent: FloatArray
    bond: npt.NDArray[np.int64]
    starts: npt.NDArray[np.int64]

    @staticmethod
    def of(book: SettledBook, exponent: FloatArray, bonds: npt.NDArray[np.int64]) -> _Rows:
        """The rows of `bonds` (positions in the settled book)."""
        ends = np.append(book.starts[1:], len(book.amount))
        counts = ends[bonds] - book.starts[bonds]
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        picked = np.arange(int(counts.sum())) + np.repeat(book.starts[bonds] - starts, counts)
        local = np.repeat(np.arange(len(bonds)), counts)
        return _Rows(book.amount[picked], exponent[picked], local, starts)


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
