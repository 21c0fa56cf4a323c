"""Discount curves bootstrapped from deposits, OIS and swap par rates and par bonds.

Time is ACT/365F from the curve's reference date. Each instrument adds one pillar at its last
payment date, solved so that it reprices exactly; between pillars the curve runs as its
interpolation says (`curve_shapes.py`: log-linear discount factors or linear zero rates).

OIS and swaps are valued on the one curve (it discounts and forecasts): a floating leg whose
periods match its index is then worth `DF(start) - DF(end)`, whatever its frequency, so an
instrument at par rate `r` satisfies `r · Σ τ_i · DF(t_i) = 1 - DF(T)` over its fixed leg
(periods rolled back from maturity, unadjusted dates, `τ_i` by the fixed leg's day count).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from fixed_income_service.domain.bonds import BondTerms
from fixed_income_service.domain.cashflows import bond_cashflows
from fixed_income_service.domain.curve_shapes import (
    LOG_LINEAR,
    MONOTONE_CONVEX,
    forward,
    log_discount,
)
from fixed_income_service.domain.daycounts import DayCount, year_fraction
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.domain.schedule import accrual_schedule

FloatArray = npt.NDArray[np.float64]
MAX_SWEEPS = 200


@dataclass(frozen=True)
class Deposit:
    """Simple interest ACT/360 from the reference date to `maturity`."""

    maturity: date
    rate: float


@dataclass(frozen=True)
class ParBond:
    """A bond issued on the reference date that is worth par (its coupon is the par rate)."""

    terms: BondTerms


@dataclass(frozen=True)
class Swap:
    """An OIS or a swap at its par rate from the reference date to `maturity` (fixed leg
    `frequency` a year, `day_count`; an OIS is annual ACT/360 by default)."""

    maturity: date
    rate: float
    frequency: int
    day_count: DayCount


Instrument = Deposit | ParBond | Swap


@dataclass(frozen=True)
class Curve:
    """Pillars (times in years, ln DF) starting at (0, 0), and how the curve runs between them
    (`interpolation`); a fitted curve has no pillars but its model's `params`."""

    reference_date: date
    times: tuple[float, ...]
    log_discounts: tuple[float, ...]
    interpolation: str = LOG_LINEAR
    params: tuple[float, ...] = ()

    def time(self, day: date) -> float:
        """ACT/365F years from the reference date."""
        return (day - self.reference_date).days / 365.0

    def discount(self, times: FloatArray) -> FloatArray:
        """Discount factors at `times` (years); infinite where a float cannot hold them."""
        with np.errstate(over="ignore"):
            factors: FloatArray = np.exp(self._log_discount(np.asarray(times, dtype=np.float64)))
        return factors

    def zero_rate(self, times: FloatArray) -> FloatArray:
        """Continuously compounded zero rates; at time 0, the first forward."""
        t = np.asarray(times, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            rates = -self._log_discount(t) / t
        return np.where(t > 0, rates, self.forward_rate(t))

    def forward_rate(self, times: FloatArray) -> FloatArray:
        """Instantaneous forward rates."""
        t = np.asarray(times, dtype=np.float64)
        knots, logs = np.array(self.times), np.array(self.log_discounts)
        return forward(self.interpolation, knots, logs, self.params, t)

    def _log_discount(self, t: FloatArray) -> FloatArray:
        knots, logs = np.array(self.times), np.array(self.log_discounts)
        return log_discount(self.interpolation, knots, logs, self.params, t)


def bootstrap(
    reference_date: date, instruments: Sequence[Instrument], interpolation: str = LOG_LINEAR
) -> Curve:
    """The curve on which every instrument reprices; a refusal when they cannot make one."""
    times, logs = [0.0], [0.0]
    ordered = sorted(
        ((_pillar(reference_date, i), i) for i in instruments), key=lambda pair: pair[0]
    )
    solved: list[tuple[int, _Valuation]] = []
    for pillar, instrument in ordered:
        t = (pillar - reference_date).days / 365.0
        if t <= times[-1]:
            raise Refusal("invalid-curve", f"two instruments end on {pillar}, or before the date")
        times.append(t)
        logs.append(0.0)
        if isinstance(instrument, Deposit):
            accrual = (instrument.maturity - reference_date).days / 360.0
            growth = 1.0 + instrument.rate * accrual
            if growth <= 0:
                raise Refusal("invalid-curve", "a deposit rate gives no discount factor")
            logs[-1] = -math.log(growth)
        else:
            value = _valuation(reference_date, instrument)
            solved.append((len(logs) - 1, value))
            logs[-1] = _solve_pillar(reference_date, value, times, logs, interpolation)
    if interpolation == MONOTONE_CONVEX:
        _sweep(reference_date, times, logs, solved)
    return Curve(reference_date, tuple(times), tuple(logs), interpolation)


def _sweep(
    reference_date: date, times: list[float], logs: list[float], solved: list[tuple[int, Any]]
) -> None:
    """Re-solve every pillar with all the others in place until none moves (Gauss-Seidel): a
    monotone convex curve between two pillars depends on the pillars either side."""
    for _ in range(MAX_SWEEPS):
        moved = 0.0
        for index, value in solved:
            before = logs[index]
            head, tail = times[: index + 1], logs[: index + 1]
            later = (tuple(times[index + 1 :]), tuple(logs[index + 1 :]))
            logs[index] = _solve_pillar(reference_date, value, head, tail, MONOTONE_CONVEX,
                                        later)  # fmt: skip
            moved = max(moved, abs(logs[index] - before))
        if moved <= 1e-14:
            return
    raise Refusal("invalid-curve", "the monotone convex bootstrap does not settle")


def _pillar(reference_date: date, instrument: Instrument) -> date:
    if isinstance(instrument, Deposit | Swap):
        if instrument.maturity <= reference_date:
            raise Refusal("invalid-curve", "an instrument matures after the reference date")
        return instrument.maturity
    if instrument.terms.issue_date != reference_date:
        raise Refusal("invalid-curve", "a par bond is issued on the curve's reference date")
    return max(flow.payment_date for flow in bond_cashflows(instrument.terms))


@dataclass(frozen=True)
class _Valuation:
    """What an instrument is worth on a curve: `Σ amounts · DF(times) + last · DF(T)` must
    equal `target`."""

    times: FloatArray
    amounts: FloatArray
    target: float


def _valuation(reference_date: date, instrument: ParBond | Swap) -> _Valuation:
    if isinstance(instrument, ParBond):
        flows = bond_cashflows(instrument.terms)
        times = np.array([(f.payment_date - reference_date).days / 365.0 for f in flows])
        return _Valuation(times, np.array([f.amount for f in flows]), 100.0)
    schedule = accrual_schedule(reference_date, instrument.maturity, instrument.frequency)
    starts, ends = schedule.dates[:-1], schedule.dates[1:]
    fractions = [
        year_fraction(instrument.day_count, a, b, a, b) for a, b in zip(starts, ends, strict=True)
    ]
    times = np.array([(end - reference_date).days / 365.0 for end in ends])
    amounts = instrument.rate * np.array(fractions)
    amounts[-1] += 1.0  # fixed leg plus DF(T) is worth 1 (the floating leg is 1 - DF(T))
    return _Valuation(times, amounts, 1.0)


def _solve_pillar(
    reference_date: date,
    value: _Valuation,
    times: list[float],
    logs: list[float],
    interpolation: str,
    later: tuple[tuple[float, ...], tuple[float, ...]] = ((), ()),
) -> float:
    """ln DF at the pillar `times[-1]` (its entry in `logs` is replaced) that reprices the
    instrument, the pillars `later` staying where they are."""
    known_times, known_logs = (*times, *later[0]), list(logs[:-1])

    def price(log_df: float) -> float:
        curve = Curve(reference_date, known_times, (*known_logs, log_df, *later[1]),
                      interpolation)  # fmt: skip
        return float(np.sum(value.amounts * curve.discount(value.times)))

    # The value falls as ln DF at the new pillar falls: bisect, then it is exact to rounding.
    span = times[-1] - times[-2]
    lo, hi = logs[-2] - 5.0 * span - 1.0, logs[-2] + 1.0 * span + 1.0
    if later[0]:
        # A sweep moves a pillar a little: secant steps from where it was (the value is smooth
        # and increasing in ln DF), bisection only if they do not settle.
        a, b = logs[-1], logs[-1] + 1e-7
        fa, fb = price(a) - value.target, price(b) - value.target
        for _ in range(30):
            if fb == fa:
                break
            a, b, fa = b, b - fb * (b - a) / (fb - fa), fb
            fb = price(b) - value.target
            if abs(b - a) <= 1e-15:
                return b
    if not price(lo) < value.target < price(hi):
        raise Refusal("invalid-curve", "a par rate no discount factor can match")
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if price(mid) < value.target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return 0.5 * (lo + hi)
