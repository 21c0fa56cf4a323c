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

import numpy as np
import numpy.typing as npt

from fixed_income_service.domain.bonds import BondTerms
from fixed_income_service.domain.cashflows import bond_cashflows
from fixed_income_service.domain.curve_shapes import LOG_LINEAR, forward, log_discount
from fixed_income_service.domain.daycounts import DayCount, year_fraction
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.domain.schedule import accrual_schedule

FloatArray = npt.NDArray[np.float64]


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
    for pillar, instrument in sorted(
        ((_pillar(reference_date, i), i) for i in instruments), key=lambda pair: pair[0]
    ):
        t = (pillar - reference_date).days / 365.0
        if t <= times[-1]:
            raise Refusal("invalid-curve", f"two instruments end on {pillar}, or before the date")
        if isinstance(instrument, Deposit):
            accrual = (instrument.maturity - reference_date).days / 360.0
            growth = 1.0 + instrument.rate * accrual
            if growth <= 0:
                raise Refusal("invalid-curve", "a deposit rate gives no discount factor")
            log_df = -math.log(growth)
        else:
            value = _valuation(reference_date, instrument)
            log_df = _solve_pillar(reference_date, value, times, logs, t, interpolation)
        times.append(t)
        logs.append(log_df)
    return Curve(reference_date, tuple(times), tuple(logs), interpolation)


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
    t: float,
    interpolation: str,
) -> float:
    def price(log_df: float) -> float:
        curve = Curve(reference_date, (*times, t), (*logs, log_df), interpolation)
        return float(np.sum(value.amounts * curve.discount(value.times)))

    # The value falls as ln DF at the new pillar falls: bisect, then it is exact to rounding.
    span = t - times[-1]
    lo, hi = logs[-1] - 5.0 * span - 1.0, logs[-1] + 1.0 * span + 1.0
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
