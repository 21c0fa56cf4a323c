"""Attribution of a portfolio's active return against a benchmark, from its daily snapshots."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.policy import Principal
from fleetkit.problems import ProblemError
from portfolio_service.benchmarks.models import Benchmark
from portfolio_service.domain.attribution import (
    ClassPeriod,
    NotLinkable,
    Segment,
    linked,
    period_segments,
)
from portfolio_service.domain.benchmark import MissingClose, index_return, rate_return
from portfolio_service.domain.returns import DayValue
from portfolio_service.domain.sleeves import sleeve_series
from portfolio_service.performance.groups import lines_of
from portfolio_service.performance.index_closes import daily_closes
from portfolio_service.performance.schemas import AttributionPublic, ClassAttribution
from portfolio_service.portfolios.models import Portfolio
from portfolio_service.valuation.downstream import Fleet
from portfolio_service.valuation.snapshots import opening_snapshot, snapshots_between

LOOK_BACK = timedelta(days=14)
"""How far before a period an index's last close is looked for (weekends, holidays)."""


def _class_periods(
    openings: dict[str, Decimal], series: dict[str, list[DayValue]], days: list[date]
) -> list[dict[str, ClassPeriod]]:
    """Per snapshot day, each class's value at the start (with inflows) and end (with
    outflows): flows in at the start of the day, out at its end, as the TWR takes them."""
    by_day: dict[date, dict[str, DayValue]] = {}
    for name, points in series.items():
        for point in points:
            by_day.setdefault(point.day, {})[name] = point
    previous = dict(openings)
    periods = []
    for day in days:
        classes = {}
        for name, point in by_day.get(day, {}).items():
            classes[name] = ClassPeriod(
                previous.get(name, Decimal(0)) + max(point.net_flow, Decimal(0)),
                point.value - min(point.net_flow, Decimal(0)),
            )
            previous[name] = point.value
        periods.append(classes)
    return periods


async def _benchmark_class_returns(
    fleet: Fleet, acting: Principal, benchmark: Benchmark, spans: list[tuple[date, date]]
) -> list[dict[str, float]]:
    """Each period's return of each class of the benchmark (domain/benchmark)."""
    closes = {}
    for component in benchmark.components:
        if "index" in component:
            symbol = component["index"]
            first, last = spans[0][0] - LOOK_BACK, spans[-1][1]
            closes[symbol] = await daily_closes(fleet, acting, symbol, first, last)
    answers = []
    for start, end in spans:
        returns = {}
        for component in benchmark.components:
            name = component["asset_class"]
            if "index" in component:
                try:
                    returns[name] = index_return(closes[component["index"]], start, end)
                except MissingClose as exc:
                    raise ProblemError(
                        422, "benchmark-prices-missing", f"{component['index']}: {exc}"
                    ) from exc
            else:
                returns[name] = rate_return(Decimal(component["annual_rate"]), start, end)
        answers.append(returns)
    return answers


def _compounded(returns: list[float]) -> float | None:
    return math.prod(1 + r for r in returns) - 1 if returns else None


async def attribution(
    session: AsyncSession, fleet: Fleet, acting: Principal, portfolio: Portfolio,
    benchmark: Benchmark, start: date, end: date,
) -> AttributionPublic:  # fmt: skip
    """Brinson-Fachler by asset class over [start, end], one period per snapshot day, linked
    by Carino; the opening is the last snapshot before `start`."""
    before = await opening_snapshot(session, portfolio.id, start)
    _, snapshots = await snapshots_between(session, portfolio.id, start, end)
    openings, series = sleeve_series(
        lines_of(before.lines if before else {}, "asset_class"),
        [(s.day, lines_of(s.lines, "asset_class")) for s in snapshots],
        lambda _, line: line.group,
    )
    days = [s.day for s in snapshots]
    spans: list[tuple[date, date]] = []
    if days:
        previous_days = [before.day if before else days[0] - timedelta(days=1), *days[:-1]]
        spans = list(zip(previous_days, days, strict=True))
    class_returns = await _benchmark_class_returns(fleet, acting, benchmark, spans) if spans else []
    weights = {c["asset_class"]: float(c["weight"]) for c in benchmark.components}
    periods: list[dict[str, Segment]] = []
    notes = []
    for (_, day), classes, bench in zip(
        spans, _class_periods(openings, series, days), class_returns, strict=True
    ):
        segments = period_segments(classes, weights, bench)
        if segments is None:
            notes.append(f"{day.isoformat()}: the portfolio was worth nothing, no period")
        else:
            periods.append(segments)
    try:
        effects = linked(periods)
    except NotLinkable as exc:
        raise ProblemError(422, "attribution-not-linkable", str(exc)) from exc
    portfolio_return = _compounded([sum(s.weight * s.return_ for s in p.values()) for p in periods])
    benchmark_return = _compounded(
        [sum(s.benchmark_weight * s.benchmark_return for s in p.values()) for p in periods]
    )
    classes_out = [
        ClassAttribution(
            asset_class=name,
            average_weight=math.fsum(p[name].weight for p in periods if name in p) / len(periods),
            benchmark_weight=weights.get(name, 0.0),
            return_=_compounded([p[name].return_ for p in periods if name in p and p[name].weight]),
            benchmark_return=_compounded([p[name].benchmark_return for p in periods if name in p])
            if name in weights else None,
            allocation=e.allocation, selection=e.selection, interaction=e.interaction,
            total=e.total,
        )
        for name, e in sorted(effects.items())
    ]  # fmt: skip
    r, b = portfolio_return or 0.0, benchmark_return or 0.0
    return AttributionPublic(
        portfolio_id=str(portfolio.id), benchmark=benchmark.name, start=start, end=end,
        periods=len(periods), portfolio_return=r, benchmark_return=b, active_return=r - b,
        allocation=math.fsum(c.allocation for c in classes_out),
        selection=math.fsum(c.selection for c in classes_out),
        interaction=math.fsum(c.interaction for c in classes_out), classes=classes_out,
        complete=all(s.complete for s in snapshots), notes=notes,
    )  # fmt: skip
