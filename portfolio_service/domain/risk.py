"""Risk of a daily return series: volatility, VaR and expected shortfall, Sharpe, Sortino,
maximum drawdown with its dates, beta. Ratios in binary floating point (they are not money).

Conventions (stated in every answer of the API, and those of empyrical, the tests' oracle):

- annualisation with 252 trading days; volatility is the sample standard deviation (n - 1)
  times sqrt(252);
- Sharpe: mean of (r - rf) over its sample standard deviation, times sqrt(252), with `rf` the
  daily risk-free rate; Sortino: annualised mean of (r - rf) over the annualised downside
  deviation sqrt(mean(min(r - rf, 0)^2)) taken over every day;
- historical VaR at confidence c: the (1 - c) quantile of the daily returns with linear
  interpolation between order statistics (Hyndman-Fan type 7, numpy's default), reported as a
  positive loss; historical ES: the mean of the k + 1 worst returns, k = floor((n - 1)(1 - c));
- parametric (normal) VaR: -(mu + sigma z_(1-c)); ES: -(mu - sigma phi(z_(1-c)) / (1 - c)),
  with the sample mean and standard deviation;
- a horizon of h days scales VaR and ES by sqrt(h) (square-root-of-time rule);
- drawdown on the wealth index starting at 1 before the first return; recovery is the first
  day the index is back at its previous peak;
- beta: covariance with the benchmark over the benchmark's variance, same days only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist

TRADING_DAYS = 252


class NotEnoughData(ValueError):  # noqa: N818 - names the outcome
    """Too few returns for the measure asked."""


def _mean(xs: Sequence[float]) -> float:
    return math.fsum(xs) / len(xs)


def _sample_std(xs: Sequence[float]) -> float:
    if len(xs) < 2:
        raise NotEnoughData("a standard deviation needs two returns")
    m = _mean(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def annual_volatility(returns: Sequence[float]) -> float:
    """Sample standard deviation of daily returns, annualised."""
    return _sample_std(returns) * math.sqrt(TRADING_DAYS)


def sharpe_ratio(returns: Sequence[float], risk_free_daily: float = 0.0) -> float:
    """Annualised Sharpe ratio."""
    excess = [r - risk_free_daily for r in returns]
    return _mean(excess) / _sample_std(excess) * math.sqrt(TRADING_DAYS)


def sortino_ratio(returns: Sequence[float], required_daily: float = 0.0) -> float:
    """Annualised Sortino ratio (infinite when nothing ever fell below the requirement)."""
    if not returns:
        raise NotEnoughData("no returns")
    excess = [r - required_daily for r in returns]
    downside = math.sqrt(_mean([min(x, 0.0) ** 2 for x in excess])) * math.sqrt(TRADING_DAYS)
    mean = _mean(excess) * TRADING_DAYS
    if downside == 0:
        return math.inf if mean > 0 else 0.0
    return mean / downside


def quantile(values: Sequence[float], p: float) -> float:
    """The p-quantile by linear interpolation between order statistics (type 7)."""
    if not values:
        raise NotEnoughData("no returns")
    ordered = sorted(values)
    position = (len(ordered) - 1) * p
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


@dataclass(frozen=True)
class TailRisk:
    """One-period losses at a confidence, as positive fractions of value."""

    value_at_risk: float
    expected_shortfall: float


def historical_tail(returns: Sequence[float], confidence: float, horizon_days: int = 1) -> TailRisk:
    """Historical VaR and ES (the quantile and tail rules in the module's docstring)."""
    tail = 1 - confidence
    var = -quantile(returns, tail)
    worst = sorted(returns)[: math.floor((len(returns) - 1) * tail) + 1]
    es = -_mean(worst)
    scale = math.sqrt(horizon_days)
    return TailRisk(var * scale, es * scale)


def parametric_tail(returns: Sequence[float], confidence: float, horizon_days: int = 1) -> TailRisk:
    """Normal VaR and ES from the sample mean and standard deviation."""
    tail = 1 - confidence
    mu, sigma = _mean(returns), _sample_std(returns)
    normal = NormalDist()
    z = normal.inv_cdf(tail)
    scale = math.sqrt(horizon_days)
    return TailRisk(-(mu + sigma * z) * scale, -(mu - sigma * normal.pdf(z) / tail) * scale)


@dataclass(frozen=True)
class Drawdown:
    """The deepest fall of the wealth index, from its peak to its trough, and its recovery."""

    depth: float
    peak: date | None
    trough: date | None
    recovery: date | None


def maximum_drawdown(days: Sequence[date], returns: Sequence[float]) -> Drawdown:
    """Deepest peak-to-trough fall (negative fraction); `days[i]` is the day of `returns[i]`.

    The peak may be the start (wealth 1 before the first return): its date is then the day
    before the first return's, reported as None.
    """
    wealth, peak_wealth = 1.0, 1.0
    peak_index: int | None = None
    depth = 0.0
    peak_at: int | None = None
    trough_at: int | None = None
    for i, r in enumerate(returns):
        wealth *= 1 + r
        if wealth >= peak_wealth:
            peak_wealth, peak_index = wealth, i
        fall = wealth / peak_wealth - 1
        if fall < depth:
            depth, peak_at, trough_at = fall, peak_index, i
    if trough_at is None:
        return Drawdown(0.0, None, None, None)
    level = 1.0
    for r in returns[: (peak_at + 1) if peak_at is not None else 0]:
        level *= 1 + r
    wealth = level * (1 + depth)
    recovery = None
    for i in range(trough_at + 1, len(returns)):
        wealth *= 1 + returns[i]
        if wealth >= level - 1e-15:
            recovery = days[i]
            break
    return Drawdown(depth, None if peak_at is None else days[peak_at], days[trough_at], recovery)


def beta(returns: Sequence[float], benchmark: Sequence[float]) -> float:
    """Sensitivity to the benchmark over the same days."""
    if len(returns) != len(benchmark) or len(returns) < 2:
        raise NotEnoughData("beta needs two or more days of both series")
    mr, mb = _mean(returns), _mean(benchmark)
    covariance = math.fsum((r - mr) * (b - mb) for r, b in zip(returns, benchmark, strict=True))
    variance = math.fsum((b - mb) ** 2 for b in benchmark)
    if variance == 0:
        raise NotEnoughData("the benchmark never moved")
    return covariance / variance
