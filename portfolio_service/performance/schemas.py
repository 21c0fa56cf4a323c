"""Wire shapes of performance and risk answers: each states its method and definition."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

Method = Literal["twr", "mwr", "modified_dietz"]

DEFINITIONS = {
    "twr": (
        "Daily chain-linked true time-weighted return: each day's return is "
        "(V_end + outflows) / (V_previous_end + inflows) - 1, money in arriving at the start of "
        "its day and money out leaving at its end; the days' growth factors are multiplied."
    ),
    "modified_dietz": (
        "Modified Dietz: (V_end - V_start - sum F) / (V_start + sum w_i F_i), T = calendar days "
        "from `from` to `to`, w_i = (T - t_i) / T with t_i the days from `from` to the flow."
    ),
    "mwr": (
        "Money-weighted return (XIRR): the annual rate r solving sum CF_i / (1 + r)^(d_i / 365) "
        "= 0 over the opening value and flows (paid in, negative) and the closing value "
        "(positive), ACT/365 from `from`."
    ),
}


class PerformancePublic(BaseModel):
    portfolio_id: str
    group: str | None = Field(default=None, description="the asset class or holding, if grouped")
    method: Method
    definition: str
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    value: str | None = Field(description="the return as a decimal fraction (0.05 = 5 %)")
    annualised: bool
    no_return_reason: str | None = None
    opening_value: str
    closing_value: str
    net_flows: str
    snapshots: int
    complete: bool = Field(description="every snapshot used had every holding priced fresh")


class GroupedPerformance(BaseModel):
    portfolio: PerformancePublic
    groups: list[PerformancePublic]


class TailPublic(BaseModel):
    value_at_risk: float
    expected_shortfall: float


class DrawdownPublic(BaseModel):
    depth: float
    peak: date | None
    trough: date | None
    recovery: date | None


class RiskPublic(BaseModel):
    portfolio_id: str
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    observations: int
    confidence: float
    horizon_days: int
    conventions: str
    annual_volatility: float | None
    sharpe_ratio: float | None
    sortino_ratio: float | None
    historical: TailPublic | None
    parametric: TailPublic | None
    maximum_drawdown: DrawdownPublic
    benchmark: str | None
    beta: float | None
    notes: list[str]


ATTRIBUTION_DEFINITION = (
    "Brinson-Fachler (1985) by asset class, per period (each day between two snapshots): "
    "allocation A_i = (w_i - W_i)(R_i - R), selection S_i = W_i (r_i - R_i), interaction "
    "I_i = (w_i - W_i)(r_i - R_i), with w/W the portfolio's/benchmark's weight at the start of "
    "the period, r/R the class returns, R = sum W_i R_i; per period sum(A + S + I) = r - R. "
    "Linked over periods by Carino (1999): each period's effects are scaled by k_t / k, "
    "k_t = (ln(1 + r_t) - ln(1 + R_t)) / (r_t - R_t) (1 / (1 + r_t) when equal), k the same for "
    "the compounded returns, so the linked effects sum to the compounded active return."
)


class ClassAttribution(BaseModel):
    asset_class: str
    average_weight: float = Field(description="the portfolio's weight, averaged over periods")
    benchmark_weight: float
    return_: float | None = Field(
        serialization_alias="return", description="compounded over the periods it was held"
    )
    benchmark_return: float | None = Field(description="compounded; null if not in the benchmark")
    allocation: float
    selection: float
    interaction: float
    total: float


class AttributionPublic(BaseModel):
    portfolio_id: str
    benchmark: str
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    method: Literal["brinson_fachler"] = "brinson_fachler"
    linking: Literal["carino"] = "carino"
    definition: str = ATTRIBUTION_DEFINITION
    periods: int
    portfolio_return: float
    benchmark_return: float
    active_return: float
    allocation: float
    selection: float
    interaction: float
    classes: list[ClassAttribution]
    complete: bool = Field(description="every snapshot used had every holding priced fresh")
    notes: list[str]
