"""Portfolio returns: daily chain-linked time-weighted, Modified Dietz, and money-weighted (XIRR).

Inputs are end-of-day values and the day's net external flow (money the owner put in, +, or
took out, -). Conventions, stated in every answer of the API:

- TWR: money put in on a day arrives at the start of that day, money taken out leaves at its
  end, so a day's return is `(V_t + out_t) / (V_{t-1} + in_t) - 1`; the days are chain-linked.
  Between two snapshots further apart than a day the same rule links the whole gap.
- Modified Dietz: `(V_end - V_start - sum F) / (V_start + sum w_i F_i)`, with the period
  `T = end - start` in calendar days and `w_i = (T - t_i) / T`, `t_i` the days from the start to
  the flow's day (a flow on the first day weighs 1).
- XIRR: the annual rate `r` with `sum CF_i / (1 + r)^(d_i / 365) = 0` (ACT/365 from the first
  flow), the investor's flows negative and the closing value positive.

Rates are ratios, not money: TWR and Modified Dietz are exact decimals; XIRR is found in binary
floating point by bracketing and bisection (to 1e-12).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


class NoReturn(ValueError):  # noqa: N818 - names the outcome
    """The inputs admit no return (no capital at work, or no rate solves the flows)."""


@dataclass(frozen=True)
class DayValue:
    """A portfolio's value at the end of `day` and the day's net external flow."""

    day: date
    value: Decimal
    net_flow: Decimal = Decimal(0)


def time_weighted_return(
    points: Sequence[DayValue], opening_value: Decimal = Decimal(0)
) -> Decimal:
    """Chain-linked TWR over `points` (ordered by day) from `opening_value`, the value at the
    end of the day before the first point; a start from nothing (money flowing in on the first
    day) is allowed."""
    if not points:
        raise NoReturn("no valuations in the period")
    growth = Decimal(1)
    previous = opening_value
    for point in points:
        inflow = max(point.net_flow, Decimal(0))
        outflow = -min(point.net_flow, Decimal(0))
        base = previous + inflow
        if base == 0:
            if point.value + outflow != 0:
                raise NoReturn(f"value appeared on {point.day} with no capital to earn it")
        else:
            growth *= (point.value + outflow) / base
        previous = point.value
    return growth - 1


def modified_dietz(start: date, start_value: Decimal, end: date, end_value: Decimal,
                   flows: Sequence[tuple[date, Decimal]]) -> Decimal:  # fmt: skip
    """Modified Dietz return of the period [start, end]; flows dated within it."""
    period = (end - start).days
    if period <= 0:
        raise NoReturn("the period must last at least one day")
    net = sum((amount for _, amount in flows), Decimal(0))
    weighted = sum(
        (Decimal(period - (day - start).days) / Decimal(period) * amount for day, amount in flows),
        Decimal(0),
    )
    capital = start_value + weighted
    if capital == 0:
        raise NoReturn("no capital was at work in the period")
    return (end_value - start_value - net) / capital


def _npv(rate: float, flows: Sequence[tuple[date, float]]) -> float:
    first = flows[0][0]
    return math.fsum(amount / (1 + rate) ** ((day - first).days / 365) for day, amount in flows)


def xirr(flows: Sequence[tuple[date, Decimal]]) -> float:
    """The annual money-weighted rate of `flows` (investor's view: out negative, back positive).

    Raises NoReturn when no rate exists: all flows of one sign, or no sign change of the net
    present value between -99.9999 % and +1,000,000 %.
    """
    ordered = sorted((day, float(amount)) for day, amount in flows)
    if not any(a > 0 for _, a in ordered) or not any(a < 0 for _, a in ordered):
        raise NoReturn("no rate exists: the flows need money both in and out")
    low, high = -0.999999, 10_000.0
    f_low, f_high = _npv(low, ordered), _npv(high, ordered)
    if f_low * f_high > 0:
        raise NoReturn("no rate between -99.9999 % and +1,000,000 % makes the flows balance")
    for _ in range(200):
        middle = (low + high) / 2
        f_middle = _npv(middle, ordered)
        if f_middle == 0 or high - low < 1e-12:
            return middle
        if (f_middle < 0) == (f_low < 0):
            low, f_low = middle, f_middle
        else:
            high = middle
    return (low + high) / 2
