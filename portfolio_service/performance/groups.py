"""Performance by asset class or by holding, from the snapshots' per-holding lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from portfolio_service.domain.sleeves import Line, sleeve_series
from portfolio_service.performance.schemas import Method, PerformancePublic
from portfolio_service.performance.service import performance
from portfolio_service.portfolios.models import ValuationSnapshot

GroupBy = Literal["portfolio", "asset_class", "holding"]


def lines_of(stored: dict[str, Any], group_by: GroupBy) -> dict[str, Line]:
    return {
        holding: Line(
            line["asset_class"] if group_by == "asset_class" else f"{line['kind']}:{holding}",
            Decimal(line["quantity"]), Decimal(line["price"]), Decimal(line["value"]),
        )
        for holding, line in stored.items()
    }  # fmt: skip


def by_group(
    portfolio_id: str, method: Method, start: date, end: date,
    opening: ValuationSnapshot | None, snapshots: list[ValuationSnapshot], group_by: GroupBy,
) -> list[PerformancePublic]:  # fmt: skip
    """One answer per sleeve, its flows being what moved into or out of it (domain/sleeves)."""
    openings, series = sleeve_series(
        lines_of(opening.lines if opening else {}, group_by),
        [(s.day, lines_of(s.lines, group_by)) for s in snapshots],
        lambda _, line: line.group,
    )
    complete = all(s.complete for s in snapshots)
    answers = []
    for key in sorted(series):
        points = [
            ValuationSnapshot(day=p.day, value=p.value, net_flow=p.net_flow, complete=complete)
            for p in series[key]
        ]
        opening_value = openings.get(key, Decimal(0))
        answer = performance(portfolio_id, method, start, end, opening_value, points)
        answers.append(answer.model_copy(update={"group": key}))
    return answers
