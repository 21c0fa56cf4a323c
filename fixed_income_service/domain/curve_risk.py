"""Risk against a curve: the G-spread and key-rate durations.

G-spread: the bond's yield less the curve's rate from settlement to the bond's maturity date,
compounded at the bond's frequency over ACT/365F (QuantLib's `forwardRate(settlement,
maturity, Actual365Fixed, Compounded, frequency)`; at the curve's reference date, its zero rate).

Key-rate durations: the curve's continuously compounded zero rates are bumped by a triangle of
one basis point that peaks at one key tenor (3M, 6M, 1Y, 2Y, 3Y, 5Y, 7Y, 10Y, 20Y, 30Y: the
reference date plus those months, at their ACT/365F times) and falls to nothing at its
neighbours (flat before the first key and after the last, so the bumps add up to a parallel
shift); the bond is repriced at its z-spread held fixed, up and down:
`KRD_k = (P_down - P_up) / (2 · P · bump)`.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import numpy.typing as npt

from fixed_income_service.domain.book import CashflowBook
from fixed_income_service.domain.curves import Curve
from fixed_income_service.domain.months import add_months
from fixed_income_service.domain.settled import SettledBook

FloatArray = npt.NDArray[np.float64]
KEY_TENOR_MONTHS = (3, 6, 12, 24, 36, 60, 84, 120, 240, 360)
BUMP = 1e-4


def g_spread(
    curve: Curve, settlement: date, maturity: date, yield_: float, frequency: int
) -> float | None:
    """The yield's spread over the curve's rate to maturity, compounded as the yield is."""
    start, end = curve.time(settlement), curve.time(maturity)
    if end <= start:
        return None
    ratio = float(curve.discount(np.array([start]))[0] / curve.discount(np.array([end]))[0])
    benchmark = frequency * (ratio ** (1.0 / (frequency * (end - start))) - 1.0)
    return yield_ - benchmark if math.isfinite(benchmark) else None


def key_times(curve: Curve, tenors: tuple[int, ...] = KEY_TENOR_MONTHS) -> FloatArray:
    """The key tenors' times: ACT/365F years to the reference date plus each tenor in months."""
    return np.array([curve.time(add_months(curve.reference_date, m)) for m in tenors])


def key_weights(times: FloatArray, keys: FloatArray, key: int) -> FloatArray:
    """The triangle of key `key` at `times` (years from the curve's reference date)."""
    values = np.zeros(len(keys))
    values[key] = 1.0
    weights: FloatArray = np.interp(times, keys, values)
    return weights


def key_rate_durations(
    settled: SettledBook,
    book: CashflowBook,
    curves: list[Curve | None],
    settlement: date,
    spreads: list[float | None],
    tenors: tuple[int, ...] = KEY_TENOR_MONTHS,
) -> list[list[dict[str, object]] | None]:
    """Per bond, `[{tenor, duration}]` for each key tenor; None without a curve or a spread."""
    count, flows = len(curves), len(settled.amount)
    pay = book.flows["pay"][settled.flow_index]
    base = np.full(flows, np.nan)
    tau = np.full(flows, np.nan)
    # Per flow and key: how far ln DF from settlement to payment moves per unit of bump.
    shifts = np.zeros((flows, len(tenors)))
    owners = np.asarray([id(c) if c is not None else 0 for c in curves], dtype=np.int64)
    for curve in {id(c): c for c in curves if c is not None}.values():
        rows = np.flatnonzero(owners[settled.flow_bond] == id(curve))
        keys = key_times(curve, tenors)
        start = (settlement.toordinal() - curve.reference_date.toordinal()) / 365.0
        t_pay = (pay[rows] - curve.reference_date.toordinal()) / 365.0
        base[rows] = curve.discount(t_pay) / curve.discount(np.array([start]))[0]
        tau[rows] = t_pay - start
        for key in range(len(tenors)):
            at_start = key_weights(np.array([start]), keys, key)[0] * start
            shifts[rows, key] = key_weights(t_pay, keys, key) * t_pay - at_start
    z = np.array([np.nan if s is None else s for s in spreads])
    values = settled.amount * base * np.exp(-z[settled.flow_bond] * tau)
    price = np.add.reduceat(values, settled.starts)
    up = np.add.reduceat(values[:, None] * np.exp(-BUMP * shifts), settled.starts, axis=0)
    down = np.add.reduceat(values[:, None] * np.exp(BUMP * shifts), settled.starts, axis=0)
    durations = (down - up) / (2.0 * price[:, None] * BUMP)
    names = [tenor_name(m) for m in tenors]
    return [
        [{"tenor": n, "duration": float(d)} for n, d in zip(names, durations[row], strict=True)]
        if np.isfinite(durations[row]).all()
        else None
        for row in range(count)
    ]


def tenor_name(months: int) -> str:
    """`3M`, `6M`, `1Y`, `30Y`."""
    return f"{months // 12}Y" if months % 12 == 0 else f"{months}M"
