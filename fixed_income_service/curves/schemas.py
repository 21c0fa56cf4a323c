"""Wire shapes of curves: instruments in, pillars and curve values out."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from fixed_income_service.bonds.schemas import RATE
from fixed_income_service.domain.calendars import BusinessDayConvention
from fixed_income_service.domain.daycounts import DayCount

SIGNED_RATE = r"^-?" + RATE[1:]


class DepositIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    maturity_date: date
    rate: str = Field(pattern=SIGNED_RATE, description="simple, ACT/360", examples=["0.031"])


class ParBondIn(BaseModel):
    """A bond issued on the reference date whose coupon is the par rate."""

    model_config = ConfigDict(extra="forbid")

    maturity_date: date
    rate: str = Field(pattern=RATE, examples=["0.0395"])
    frequency: Literal[1, 2, 4, 12] = 2
    day_count: DayCount = DayCount.THIRTY_360_US
    calendar: str = Field(default="US-GOVT", max_length=40)
    payment_convention: BusinessDayConvention = BusinessDayConvention.FOLLOWING


class CurveCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    reference_date: date
    deposits: list[DepositIn] = Field(default_factory=list, max_length=100)
    par_bonds: list[ParBondIn] = Field(default_factory=list, max_length=200)


class PillarPublic(BaseModel):
    time: float
    discount_factor: float


class CurvePublic(CurveCreate):
    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    interpolation: Literal["log-linear discount factors"] = "log-linear discount factors"
    time_basis: Literal["ACT/365F"] = "ACT/365F"
    pillars: list[PillarPublic]
    created_at: datetime


class CurveValue(BaseModel):
    date: date
    value: float


class CurveValues(BaseModel):
    curve_id: uuid.UUID
    quantity: Literal["discount", "zero", "forward"]
    compounding: Literal["continuous"] | None
    values: list[CurveValue]
