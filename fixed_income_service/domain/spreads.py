"""Z-spread: the constant spread over a curve's continuously compounded zero rates (ACT/365F)
that discounts a bond's remaining flows to its dirty price, as QuantLib's
`BondFunctions.zSpread` with `Continuous` compounding defines it."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

from fixed_income_service.domain.book import CashflowBook
from fixed_income_service.domain.curves import Curve
from fixed_income_service.domain.settled import SettledBook

FloatArray = npt.NDArray[np.float64]
NEWTON_STEPS = 60
TOLERANCE = 1e-15


def curve_factors(
    settled: SettledBook, book: CashflowBook, curves: list[Curve | None], settlement: int
) -> tuple[FloatArray, FloatArray]:
    """Per remaining flow: the curve's discount from settlement to payment, and that time.

    NaN for the flows of bonds without a curve.
    """
    discount = np.full(len(settled.amount), np.nan)
    tau = np.full(len(settled.amount), np.nan)
    pay = book.flows["pay"][settled.flow_index]
    owners = np.asarray([id(c) if c is not None else 0 for c in curves], dtype=np.int64)
    for curve in {id(c): c for c in curves if c is not None}.values():
        rows = np.flatnonzero(owners[settled.flow_bond] == id(curve))
        start = (settlement - curve.reference_date.toordinal()) / 365.0
        times = (pay[rows] - curve.reference_date.toordinal()) / 365.0
        discount[rows] = curve.discount(times) / curve.discount(np.array([start]))[0]
        tau[rows] = times - start
    return discount, tau


def price_at_spread(
    settled: SettledBook, discount: FloatArray, tau: FloatArray, spreads: FloatArray
) -> FloatArray:
    """Dirty prices per 100 outstanding at each bond's z-spread."""
    values = settled.amount * discount * np.exp(-spreads[settled.flow_bond] * tau)
    dirty: FloatArray = np.add.reduceat(values, settled.starts) * settled.scale
    return dirty


def solve_spreads(
    settled: SettledBook, discount: FloatArray, tau: FloatArray, dirty_prices: FloatArray
) -> FloatArray:
    """Each bond's z-spread at its dirty price (NaN where none is asked or none exists)."""
    target = dirty_prices / settled.scale
    z = np.zeros(len(target))
    asked = np.isfinite(target)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(NEWTON_STEPS):
            values = settled.amount * discount * np.exp(-z[settled.flow_bond] * tau)
            gap = np.add.reduceat(values, settled.starts) - target
            slope = -np.add.reduceat(values * tau, settled.starts)
            step = np.where(asked, gap / slope, 0.0)
            # The price is convex and decreasing in z: Newton approaches from one side.
            z = np.clip(z - step, -5.0, 5.0)
            if not (np.abs(step[asked]) > TOLERANCE).any():
                break
        settled_ok = np.abs(step) <= 1e-12
    return np.where(asked & settled_ok & np.isfinite(z), z, np.nan)


class BatchSpreads:
    """The z-spread side of a batch: prices from quoted spreads, spreads from prices."""

    def __init__(
        self, settled: SettledBook, book: CashflowBook, curves: list[Curve | None],
        settlement: date, quoted: list[float | None],
    ) -> None:  # fmt: skip
        self.settled, self.curves, self.quoted = settled, curves, quoted
        self.any = any(curve is not None for curve in curves)
        if self.any:
            self.discount, self.tau = curve_factors(settled, book, curves, settlement.toordinal())

    def dirty_prices(self, dirty: FloatArray) -> FloatArray:
        """`dirty` with the prices of z-spread quotes filled in."""
        quoted = np.array([z is not None for z in self.quoted])
        if not quoted.any():
            return dirty
        spreads = np.array([0.0 if z is None else z for z in self.quoted])
        at_spread = price_at_spread(self.settled, self.discount, self.tau, spreads)
        return np.where(quoted, at_spread, dirty)

    def measured(self, dirty: FloatArray) -> list[float | None]:
        """Each item's z-spread: its quote, or solved from its price; None without a curve."""
        if not self.any:
            return [None] * len(self.quoted)
        has_curve = np.array([c is not None for c in self.curves])
        solved = solve_spreads(
            self.settled, self.discount, self.tau, np.where(has_curve, dirty, np.nan)
        )
        return [
            quoted if quoted is not None else (float(z) if np.isfinite(z) else None)
            for quoted, z in zip(self.quoted, solved, strict=True)
        ]
