"""Use cases of performance and risk: read the snapshots, apply the pure rules."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TypeVar

from portfolio_service.domain import risk
from portfolio_service.domain.returns import (
    DayValue,
    NoReturn,
    modified_dietz,
    time_weighted_return,
    xirr,
)
from portfolio_service.performance.schemas import (
    DEFINITIONS,
    DrawdownPublic,
    Method,
    PerformancePublic,
    RiskPublic,
    TailPublic,
)
from portfolio_service.portfolios.models import ValuationSnapshot

RATE_PLACES = Decimal("1e-10")
T = TypeVar("T")


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def performance(
    portfolio_id: str, method: Method, start: date, end: date, opening: Decimal,
    snapshots: list[ValuationSnapshot],
) -> PerformancePublic:  # fmt: skip
    """The portfolio's return over [start, end] by `method`; no return is an explicit answer."""
    closing = snapshots[-1].value if snapshots else opening
    flows = [(s.day, s.net_flow) for s in snapshots if s.net_flow]
    rate: Decimal | None = None
    reason = None
    try:
        if method == "twr":
            points = [DayValue(s.day, s.value, s.net_flow) for s in snapshots]
            rate = time_weighted_return(points, opening_value=opening)
        elif method == "modified_dietz":
            rate = modified_dietz(start, opening, end, closing, flows)
        else:
            cash_flows = [(start, -opening)] if opening else []
            cash_flows += [(day, -amount) for day, amount in flows]
            cash_flows.append((end, closing))
            rate = Decimal(repr(xirr(cash_flows)))
    except NoReturn as exc:
        reason = str(exc)
    return PerformancePublic(
        portfolio_id=portfolio_id, method=method, definition=DEFINITIONS[method], start=start,
        end=end, value=None if rate is None else _text(rate.quantize(RATE_PLACES)),
        annualised=method == "mwr", no_return_reason=reason, opening_value=_text(opening),
        closing_value=_text(closing), net_flows=_text(sum((a for _, a in flows), Decimal(0))),
        snapshots=len(snapshots), complete=all(s.complete for s in snapshots),
    )  # fmt: skip


def daily_returns(
    opening: Decimal, snapshots: list[ValuationSnapshot]
) -> tuple[list[date], list[float]]:
    """Each snapshot day's TWR return against the day before (the first needs an opening)."""
    days, returns = [], []
    previous = opening
    for s in snapshots:
        inflow = max(s.net_flow, Decimal(0))
        outflow = -min(s.net_flow, Decimal(0))
        base = previous + inflow
        if base > 0:
            days.append(s.day)
            returns.append(float((s.value + outflow) / base - 1))
        previous = s.value
    return days, returns


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def risk_report(
    portfolio_id: str, start: date, end: date, opening: Decimal,
    snapshots: list[ValuationSnapshot], confidence: float, horizon_days: int,
    benchmark: str | None, benchmark_returns: dict[date, float] | None,
) -> RiskPublic:  # fmt: skip
    """Risk of the daily returns in [start, end]; measures that need more data are null."""
    days, returns = daily_returns(opening, snapshots)
    notes: list[str] = []

    def measure(name: str, compute: Callable[[], T]) -> T | None:
        try:
            return compute()
        except (risk.NotEnoughData, ZeroDivisionError) as exc:
            notes.append(f"{name}: {exc or 'not enough data'}")
            return None

    historical = measure(
        "historical", lambda: risk.historical_tail(returns, confidence, horizon_days)
    )
    parametric = measure(
        "parametric", lambda: risk.parametric_tail(returns, confidence, horizon_days)
    )
    beta = None
    if benchmark is not None and benchmark_returns is not None:
        paired = [(r, benchmark_returns[d]) for d, r in zip(days, returns, strict=True)
                  if d in benchmark_returns]  # fmt: skip
        beta = measure("beta", lambda: risk.beta([a for a, _ in paired], [b for _, b in paired]))
    drawdown = risk.maximum_drawdown(days, returns)
    return RiskPublic(
        portfolio_id=portfolio_id, start=start, end=end, observations=len(returns),
        confidence=confidence, horizon_days=horizon_days,
        conventions=(risk.__doc__ or "").split("\n\n", 1)[-1].strip(),
        annual_volatility=measure("volatility", lambda: risk.annual_volatility(returns)),
        sharpe_ratio=measure("sharpe", lambda: risk.sharpe_ratio(returns)),
        sortino_ratio=measure("sortino", lambda: _finite(risk.sortino_ratio(returns))),
        historical=None if historical is None else TailPublic(**vars(historical)),
        parametric=None if parametric is None else TailPublic(**vars(parametric)),
        maximum_drawdown=DrawdownPublic(**vars(drawdown)), benchmark=benchmark, beta=beta,
        notes=notes,
    )  # fmt: skip
