"""Brinson-Fachler attribution by asset class, and Carino linking over several periods.

For one period, with portfolio weights w_i and returns r_i, benchmark weights W_i and returns
R_i, and the benchmark's total return R = sum W_i R_i:

- allocation  A_i = (w_i - W_i)(R_i - R)
- selection   S_i = W_i (r_i - R_i)
- interaction I_i = (w_i - W_i)(r_i - R_i)

and sum(A + S + I) = r - R, the active return (r = sum w_i r_i). Over several periods the
effects are linked with Carino's factors k_t / k, where k_t = ln(1 + r_t) - ln(1 + R_t) over
r_t - R_t (1 / (1 + r_t) when equal) and k likewise for the compounded returns, so that the
linked effects sum to the compounded active return.

`period_segments` builds one period's segments from what each class of the portfolio was worth:
its weight is its value at the start of the period plus what flowed into it (w_i = base_i /
sum base), its return `(end_i + outflow_i) / base_i - 1`. A class the portfolio holds and the
benchmark does not gets R_i = r_i (all its effect is allocation: the decision to hold it); a
class of the benchmark the portfolio does not hold gets r_i = R_i (no selection in what was not
held).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Segment:
    """One asset class in one period: weights and returns of the portfolio and benchmark."""

    weight: float
    return_: float
    benchmark_weight: float
    benchmark_return: float


@dataclass(frozen=True)
class Effects:
    """Allocation, selection and interaction of one class (or their total)."""

    allocation: float
    selection: float
    interaction: float

    @property
    def total(self) -> float:
        return self.allocation + self.selection + self.interaction


def brinson_fachler(segments: Mapping[str, Segment]) -> dict[str, Effects]:
    """The effects of each class for one period."""
    benchmark = math.fsum(s.benchmark_weight * s.benchmark_return for s in segments.values())
    return {
        name: Effects(
            (s.weight - s.benchmark_weight) * (s.benchmark_return - benchmark),
            s.benchmark_weight * (s.return_ - s.benchmark_return),
            (s.weight - s.benchmark_weight) * (s.return_ - s.benchmark_return),
        )
        for name, s in segments.items()
    }


class NotLinkable(ValueError):  # noqa: N818 - names the situation
    """A return of -100 % or worse: the logarithms of Carino's factors do not exist."""


def _carino(portfolio: float, benchmark: float) -> float:
    if portfolio <= -1 or benchmark <= -1:
        raise NotLinkable("a period or the whole lost everything: Carino linking needs > -100 %")
    if math.isclose(portfolio, benchmark):
        return 1 / (1 + portfolio)
    return (math.log1p(portfolio) - math.log1p(benchmark)) / (portfolio - benchmark)


def linked(periods: Sequence[Mapping[str, Segment]]) -> dict[str, Effects]:
    """Effects over several periods, Carino-linked so they sum to the compounded active return."""
    growth_p = growth_b = 1.0
    per_period = []
    for segments in periods:
        r = math.fsum(s.weight * s.return_ for s in segments.values())
        b = math.fsum(s.benchmark_weight * s.benchmark_return for s in segments.values())
        growth_p, growth_b = growth_p * (1 + r), growth_b * (1 + b)
        per_period.append((brinson_fachler(segments), _carino(r, b)))
    k = _carino(growth_p - 1, growth_b - 1)
    totals: dict[str, list[float]] = {}
    for effects, k_t in per_period:
        for name, e in effects.items():
            parts = totals.setdefault(name, [0.0, 0.0, 0.0])
            factor = k_t / k
            parts[0] += e.allocation * factor
            parts[1] += e.selection * factor
            parts[2] += e.interaction * factor
    return {name: Effects(*parts) for name, parts in totals.items()}


@dataclass(frozen=True)
class ClassPeriod:
    """What one class of the portfolio was worth in a period: `base` at its start (with what
    flowed in) and `end` at its end (with what flowed out)."""

    base: Decimal
    end: Decimal


def period_segments(
    portfolio: Mapping[str, ClassPeriod],
    benchmark_weights: Mapping[str, float],
    benchmark_returns: Mapping[str, float],
) -> dict[str, Segment] | None:
    """The segments of one period; None when the portfolio was worth nothing at its start."""
    held = {name: c for name, c in portfolio.items() if c.base > 0}
    total = sum((c.base for c in held.values()), Decimal(0))
    if total <= 0:
        return None
    segments = {}
    for name in sorted(set(held) | set(benchmark_weights)):
        c = held.get(name)
        weight = float(c.base / total) if c else 0.0
        own = float(c.end / c.base - 1) if c else None
        bench = benchmark_returns.get(name)
        return_ = own if own is not None else (bench or 0.0)
        segments[name] = Segment(
            weight, return_, benchmark_weights.get(name, 0.0),
            bench if bench is not None else return_,
        )  # fmt: skip
    return segments
