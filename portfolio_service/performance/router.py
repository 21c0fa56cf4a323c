"""Public performance, risk and snapshot API of a portfolio."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta

from fastapi import APIRouter, Query, Request

from fleetkit.db import SessionDep
from fleetkit.problems import ProblemError
from portfolio_service.benchmarks.schemas import NAME_PATTERN
from portfolio_service.benchmarks.service import benchmark_named
from portfolio_service.identity.authentication import CurrentCaller
from portfolio_service.identity.tokens import require_scope
from portfolio_service.performance import charts, service
from portfolio_service.performance.attribution import attribution
from portfolio_service.performance.groups import GroupBy, by_group
from portfolio_service.performance.index_closes import daily_closes
from portfolio_service.performance.schemas import (
    AttributionPublic,
    GroupedPerformance,
    Method,
    PerformancePublic,
    RiskPublic,
)
from portfolio_service.portfolios.access import portfolio_for
from portfolio_service.portfolios.repository import holdings_of
from portfolio_service.portfolios.router import fleet_of, valuation_for
from portfolio_service.portfolios.schemas import Valuation
from portfolio_service.valuation.downstream import Fleet
from portfolio_service.valuation.income import income
from portfolio_service.valuation.snapshots import (
    opening_snapshot,
    snapshots_between,
    take_snapshot,
)

router = APIRouter(prefix="/api/v1/portfolios", tags=["performance"])
From = Query(alias="from", description="first day of the period")
To = Query(alias="to", description="last day of the period")


def _period(start: date, end: date) -> None:
    if end < start:
        raise ProblemError(422, "invalid-period", "`to` is before `from`")


@router.get(
    "/{portfolio_id}/performance",
    response_model=PerformancePublic | GroupedPerformance,
    response_model_by_alias=True,
)
async def get_performance(
    portfolio_id: uuid.UUID,
    caller: CurrentCaller,
    session: SessionDep,
    start: date = From,
    end: date = To,
    method: Method = "twr",
    group_by: GroupBy = "portfolio",
) -> PerformancePublic | GroupedPerformance:
    """The return over [from, to] by TWR, MWR (XIRR) or Modified Dietz, from the daily
    snapshots, for the portfolio or also by asset class or holding (`group_by`); the answer
    states its method and definition."""
    _period(start, end)
    portfolio = await portfolio_for(session, caller.principal, portfolio_id, "read")
    opening, snapshots = await snapshots_between(session, portfolio.id, start, end)
    whole = service.performance(str(portfolio.id), method, start, end, opening, snapshots)
    if group_by == "portfolio":
        return whole
    before = await opening_snapshot(session, portfolio.id, start)
    groups = by_group(str(portfolio.id), method, start, end, before, snapshots, group_by)
    return GroupedPerformance(portfolio=whole, groups=groups)


async def _benchmark_returns(
    fleet: Fleet, caller: CurrentCaller, symbol: str, start: date, end: date
) -> dict[date, float]:
    closes = await daily_closes(fleet, caller.principal, symbol, start - timedelta(days=10), end)
    days = sorted(closes)
    return {d: float(closes[d] / closes[p] - 1) for p, d in itertools.pairwise(days)}


@router.get("/{portfolio_id}/risk", response_model=RiskPublic, response_model_by_alias=True)
async def get_risk(
    portfolio_id: uuid.UUID,
    caller: CurrentCaller,
    session: SessionDep,
    request: Request,
    start: date = From,
    end: date = To,
    confidence: float = Query(default=0.95, gt=0.5, lt=1),
    horizon_days: int = Query(default=1, ge=1, le=250),
    benchmark: str | None = Query(default=None, pattern=r"^[A-Z][A-Z0-9.]{0,11}$"),
) -> RiskPublic:
    """Volatility, historical and parametric VaR and ES, Sharpe, Sortino, maximum drawdown and
    beta against an equity benchmark, from the daily snapshots of [from, to]."""
    _period(start, end)
    portfolio = await portfolio_for(session, caller.principal, portfolio_id, "read")
    opening, snapshots = await snapshots_between(session, portfolio.id, start, end)
    bench = None
    if benchmark is not None:
        bench = await _benchmark_returns(fleet_of(request), caller, benchmark, start, end)
    return service.risk_report(
        str(portfolio.id), start, end, opening, snapshots, confidence, horizon_days,
        benchmark, bench,
    )  # fmt: skip


@router.post("/{portfolio_id}/snapshots", status_code=201)
async def snapshot_day(
    portfolio_id: uuid.UUID,
    caller: CurrentCaller,
    session: SessionDep,
    request: Request,
    day: date | None = Query(default=None, description="default: yesterday (UTC)"),
) -> dict[str, str | bool]:
    """Take (or retake) the valuation snapshot of a past day, as the nightly job does."""
    require_scope(caller, "write")
    portfolio = await portfolio_for(session, caller.principal, portfolio_id, "write")
    today = datetime.now(UTC).date()
    chosen = day or today - timedelta(days=1)
    if chosen > today:
        raise ProblemError(422, "future-day", "a day that has not happened has no value yet")
    deadline = request.app.state.settings.valuation_deadline_seconds
    snap = await take_snapshot(session, fleet_of(request), portfolio, chosen, deadline)
    return {"day": chosen.isoformat(), "value": format(snap.value, "f"),
            "net_flow": format(snap.net_flow, "f"), "complete": snap.complete}  # fmt: skip


@router.get("/{portfolio_id}/growth", response_model=list[charts.GrowthPoint])
async def get_growth(
    portfolio_id: uuid.UUID,
    caller: CurrentCaller,
    session: SessionDep,
    start: date = From,
    end: date = To,
) -> list[charts.GrowthPoint]:
    """Value and net contributions per snapshot day of [from, to]."""
    _period(start, end)
    portfolio = await portfolio_for(session, caller.principal, portfolio_id, "read")
    _, history = await snapshots_between(session, portfolio.id, date.min, end)
    return charts.growth(history, start)


@router.get("/{portfolio_id}/allocation", response_model=charts.AllocationPublic)
async def get_allocation(
    portfolio_id: uuid.UUID,
    caller: CurrentCaller,
    session: SessionDep,
    request: Request,
    as_of: date | None = Query(default=None),
) -> charts.AllocationPublic:
    """Weights by asset class, currency and holding, from the valuation of `as_of`."""
    return charts.allocation(await valuation_for(request, caller, session, portfolio_id, as_of))


async def _summary(
    request: Request, caller: CurrentCaller, session: SessionDep, portfolio_id: uuid.UUID,
    start: date | None, end: date | None,
) -> tuple[Valuation, charts.SummaryPublic]:  # fmt: skip
    valuation = await valuation_for(request, caller, session, portfolio_id, None)
    end = end or valuation.as_of
    start = start or end.replace(month=1, day=1)
    _period(start, end)
    _, snapshots = await snapshots_between(session, portfolio_id, date.min, valuation.as_of)
    portfolio = await portfolio_for(session, caller.principal, portfolio_id, "read")
    holdings = await holdings_of(session, [portfolio.id])
    received = await income(fleet_of(request), caller.principal, portfolio, holdings, start, end)
    return valuation, charts.summary(valuation, snapshots, received)


IncomeFrom = Query(default=None, alias="from", description="income from (default: 1 January)")
IncomeTo = Query(default=None, alias="to", description="income to (default: today)")


@router.get("/{portfolio_id}/summary", response_model=charts.SummaryPublic)
async def get_summary(
    portfolio_id: uuid.UUID,
    caller: CurrentCaller,
    session: SessionDep,
    request: Request,
    start: date | None = IncomeFrom,
    end: date | None = IncomeTo,
) -> charts.SummaryPublic:
    """Value now, change since the last snapshot, TWR since the first one, contributions, and
    the income (dividends, coupons, rent) received in [from, to]."""
    return (await _summary(request, caller, session, portfolio_id, start, end))[1]


@router.post("/{portfolio_id}/calculate", response_model=charts.CalculationPublic)
async def calculate(
    portfolio_id: uuid.UUID,
    caller: CurrentCaller,
    session: SessionDep,
    request: Request,
    start: date | None = IncomeFrom,
    end: date | None = IncomeTo,
) -> charts.CalculationPublic:
    """The seed system's name: today's valuation and the summary metrics in one answer."""
    valuation, summary = await _summary(request, caller, session, portfolio_id, start, end)
    return charts.CalculationPublic(valuation=valuation, summary=summary)


@router.get(
    "/{portfolio_id}/attribution", response_model=AttributionPublic, response_model_by_alias=True
)
async def get_attribution(
    portfolio_id: uuid.UUID,
    caller: CurrentCaller,
    session: SessionDep,
    request: Request,
    start: date = From,
    end: date = To,
    benchmark: str = Query(pattern=NAME_PATTERN, description="a benchmark's name (/benchmarks)"),
) -> AttributionPublic:
    """Brinson-Fachler attribution by asset class of the active return over [from, to] against
    one of the tenant's benchmarks, linked over the daily periods by Carino; the answer states
    its definition."""
    _period(start, end)
    portfolio = await portfolio_for(session, caller.principal, portfolio_id, "read")
    chosen = await benchmark_named(session, portfolio.tenant_id, benchmark)
    if chosen is None:
        raise ProblemError(422, "unknown-benchmark", f"no benchmark is named {benchmark!r}")
    return await attribution(
        session, fleet_of(request), caller.principal, portfolio, chosen, start, end
    )
