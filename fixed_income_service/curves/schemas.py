"""Wire shapes of curves: instruments in, pillars and curve values out."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fixed_income_service.bonds.schemas import RATE, BondTermsIn
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


class SwapIn(BaseModel):
    """An OIS or swap from the reference date at its par rate; its fixed leg's frequency and
    day count default to annual ACT/360 (OIS) and semiannual 30/360 US (swaps)."""

    model_config = ConfigDict(extra="forbid")

    maturity_date: date
    rate: str = Field(pattern=SIGNED_RATE, examples=["0.0352"])
    frequency: Literal[1, 2, 4, 12] | None = None
    day_count: DayCount | None = None


class QuotedBondIn(BaseModel):
    """A bond (stored, or inline terms) and its clean price per 100 at the reference date."""

    model_config = ConfigDict(extra="forbid")

    bond_id: uuid.UUID | None = None
    bond: BondTermsIn | None = None
    clean_price: float = Field(gt=0, le=10_000)

    @model_validator(mode="after")
    def _one_bond(self) -> QuotedBondIn:
        if (self.bond_id is None) == (self.bond is None):
            raise ValueError("give exactly one of bond_id or bond")
        return self


Shape = Literal[
    "log-linear-discount", "linear-zero", "monotone-convex", "nelson-siegel", "svensson"
]


class CurveCreate(BaseModel):
    """Bootstrapped (`log-linear-discount`, `linear-zero`) from deposits, OIS, swaps and par
    bonds, or fitted (`nelson-siegel`, `svensson`) to `bonds` and their prices."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    reference_date: date
    interpolation: Shape = "log-linear-discount"
    deposits: list[DepositIn] = Field(default_factory=list, max_length=100)
    ois: list[SwapIn] = Field(default_factory=list, max_length=100)
    swaps: list[SwapIn] = Field(default_factory=list, max_length=100)
    par_bonds: list[ParBondIn] = Field(default_factory=list, max_length=200)
    bonds: list[QuotedBondIn] = Field(default_factory=list, max_length=2000)


class PillarPublic(BaseModel):
    time: float
    discount_factor: float


class CurvePublic(CurveCreate):
    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    time_basis: Literal["ACT/365F"] = "ACT/365F"
    pillars: list[PillarPublic]
    parameters: dict[str, float] | None = Field(
        default=None, description="a fitted model's beta0..beta3, tau1, tau2"
    )
    created_at: datetime


class CurveValue(BaseModel):
    date: date
    value: float


class CurveValues(BaseModel):
    curve_id: uuid.UUID
    quantity: Literal["discount", "zero", "forward"]
    compounding: Literal["continuous"] | None
    values: list[CurveValue]
