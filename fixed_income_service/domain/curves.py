"""Discount curves bootstrapped from deposits and par bonds, log-linear in discount factors.

Time is ACT/365F from the curve's reference date. Between pillars ln(DF) is linear in time
(piecewise flat instantaneous forwards); beyond the last pillar the last forward continues.
Each instrument adds one pillar at its last payment date, solved so that it reprices exactly.
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
from fixed_income_service.domain.refusals import Refusal

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
class Curve:
    """Pillars (times in years, ln DF) starting at (0, 0)."""

    reference_date: date
    times: tuple[float, ...]
    log_discounts: tuple[float, ...]

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
        """Instantaneous forward rates (flat between pillars)."""
        t = np.asarray(times, dtype=np.float64)
        knots, logs = np.array(self.times), np.array(self.log_discounts)
        slopes = -np.diff(logs) / np.diff(knots)
        segment = np.clip(np.searchsorted(knots, t, side="right") - 1, 0, len(slopes) - 1)
        forwards: FloatArray = slopes[segment]
        return forwards

    def _log_discount(self, t: FloatArray) -> FloatArray:
        knots, logs = np.array(self.times), np.array(self.log_discounts)
        inside = np.interp(t, knots, logs)
        slope = (logs[-1] - logs[-2]) / (knots[-1] - knots[-2])
        values: FloatArray = np.where(t > knots[-1], logs[-1] + slope * (t - knots[-1]), inside)
        return values


def bootstrap(reference_date: date, instruments: Sequence[Deposit | ParBond]) -> Curve:
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
            log_df = _solve_par(reference_date, instrument, times, logs, t)
        times.append(t)
        logs.append(log_df)
    return Curve(reference_date, tuple(times), tuple(logs))


def _pillar(reference_date: date, instrument: Deposit | ParBond) -> date:
    if isinstance(instrument, Deposit):
        return instrument.maturity
    if instrument.terms.issue_date != reference_date:
        raise Refusal("invalid-curve", "a par bond is issued on the curve's reference date")
    return max(flow.payment_date for flow in bond_cashflows(instrument.terms))


def _solve_par(
    reference_date: date, instrument: ParBond, times: list[float], logs: list[float], t: float
) -> float:
    flows = bond_cashflows(instrument.terms)
    flow_times = np.array([(f.payment_date - reference_date).days / 365.0 for f in flows])
    amounts = np.array([f.amount for f in flows])

    def price(log_df: float) -> float:
        curve = Curve(reference_date, (*times, t), (*logs, log_df))
        return float(np.sum(amounts * curve.discount(flow_times)))

    # Price falls as ln DF at the new pillar falls: bisect, then it is exact to rounding.
    lo, hi = logs[-1] - 5.0 * (t - times[-1]) - 1.0, logs[-1] + 1.0 * (t - times[-1]) + 1.0
    if not price(lo) < 100.0 < price(hi):
        raise Refusal("invalid-curve", "a par rate no discount factor can match")
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if price(mid) < 100.0:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return 0.5 * (lo + hi)
