"""Wire shapes of targets and rebalance plans."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from portfolio_service.portfolios.schemas import Amount

Weight = Decimal


class BandsIn(BaseModel):
    absolute_points: Decimal = Field(default=Decimal("0.05"), ge=0, le=1)
    relative: Decimal = Field(default=Decimal("0.25"), ge=0, le=10)


class TargetsIn(BaseModel):
    weights: dict[str, Weight] = Field(
        description="weight by holding id or asset class (cash, equity, fixed_income, "
        "private_markets, real_estate); what is left over is cash",
        min_length=1,
        max_length=500,
    )
    bands: BandsIn = Field(default_factory=BandsIn)


class TargetsPublic(BaseModel):
    weights: dict[str, Amount]
    cash_weight: Amount
    bands: dict[str, Amount]


class PlanCreate(BaseModel):
    mode: Literal["cash_flow", "full", "hybrid"]
    min_trade: Decimal = Field(default=Decimal(0), ge=0)
    fractional: bool = False


class RebalanceRequest(PlanCreate):
    execute: bool = Field(default=False, description="place the plan's orders right away")


class LegPublic(BaseModel):
    leg: int
    holding_id: uuid.UUID
    symbol: str
    side: Literal["buy", "sell"]
    qty: Amount
    estimated_price: Amount
    estimated_value: Amount


class PlanPublic(BaseModel):
    id: uuid.UUID
    portfolio_id: uuid.UUID
    mode: str
    created_at: datetime
    executed_at: datetime | None
    legs: list[LegPublic]
    fixed: list[str] = Field(description="holdings left as they are (illiquid or unpriced)")
    orders: list[dict[str, Any]] | None = None
