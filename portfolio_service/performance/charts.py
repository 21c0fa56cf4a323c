"""Chart-ready views for client apps: growth, allocation and summary."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from portfolio_service.domain.returns import DayValue, NoReturn, time_weighted_return
from portfolio_service.portfolios.models import ValuationSnapshot
from portfolio_service.portfolios.schemas import Amount, Valuation
from portfolio_service.valuation.income import IncomePublic


class GrowthPoint(BaseModel):
    day: date
    value: Amount
    net_contributions: Amount = Field(description="money put in less money taken out, so far")


class Slice(BaseModel):
    key: str
    value: Amount
    weight: Amount


class AllocationPublic(BaseModel):
    as_of: date
    base_currency: str
    total: Amount
    by_asset_class: list[Slice]
    by_currency: list[Slice]
    by_holding: list[Slice]
    left_out: list[str] = Field(
        description="holdings not in the total (unpriced or another currency)"
    )


class SummaryPublic(BaseModel):
    as_of: date
    value: Amount
    complete: bool
    day_change: Amount | None = Field(
        description="value less the last earlier snapshot (flows since then are included)"
    )
    total_return_twr: Amount | None = Field(description="chain-linked TWR since the first snapshot")
    net_contributions: Amount
    income: IncomePublic = Field(
        description="dividends, coupons and rent received in the period (default: the year to date)"
    )


class CalculationPublic(BaseModel):
    valuation: Valuation
    summary: SummaryPublic


def growth(history: list[ValuationSnapshot], start: date) -> list[GrowthPoint]:
    """Value and net contributions since the first snapshot, per snapshot day from `start`."""
    contributed = Decimal(0)
    points = []
    for s in history:
        contributed += s.net_flow
        if s.day >= start:
            points.append(GrowthPoint(day=s.day, value=s.value, net_contributions=contributed))
    return points


def _slices(values: dict[str, Decimal], total: Decimal) -> list[Slice]:
    return [
        Slice(key=k, value=v, weight=(v / total).quantize(Decimal("1e-6")) if total else Decimal(0))
        for k, v in sorted(values.items(), key=lambda kv: -kv[1])
    ]


def allocation(valuation: Valuation) -> AllocationPublic:
    """The valuation's total split by asset class, currency and holding."""
    by_class: dict[str, Decimal] = defaultdict(Decimal)
    by_currency: dict[str, Decimal] = defaultdict(Decimal)
    by_holding: dict[str, Decimal] = {}
    left_out = []
    for line in valuation.holdings:
        if not line.in_total or line.value is None:
            left_out.append(f"{line.holding_id} ({line.kind})")
            continue
        by_class[line.asset_class] += line.value
        by_currency[line.currency or "?"] += line.value
        by_holding[f"{line.kind}:{line.reference}"] = line.value
    total = valuation.total
    return AllocationPublic(
        as_of=valuation.as_of, base_currency=valuation.base_currency, total=total,
        by_asset_class=_slices(by_class, total), by_currency=_slices(by_currency, total),
        by_holding=_slices(by_holding, total), left_out=left_out,
    )  # fmt: skip


def summary(
    valuation: Valuation, snapshots: list[ValuationSnapshot], income: IncomePublic
) -> SummaryPublic:
    """Today's value against the snapshots: day change, total return, contributions, and the
    income received."""
    earlier = [s for s in snapshots if s.day < valuation.as_of]
    day_change = None if not earlier else valuation.total - earlier[-1].value
    total_return = None
    if snapshots:
        try:
            points = [DayValue(s.day, s.value, s.net_flow) for s in snapshots]
            total_return = time_weighted_return(points).quantize(Decimal("1e-10"))
        except NoReturn:
            total_return = None
    return SummaryPublic(
        as_of=valuation.as_of, value=valuation.total, complete=valuation.complete,
        day_change=day_change, total_return_twr=total_return,
        net_contributions=sum((s.net_flow for s in snapshots), Decimal(0)), income=income,
    )  # fmt: skip
