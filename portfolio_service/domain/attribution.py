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
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


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


def _carino(portfolio: float, benchmark: float) -> float:
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
