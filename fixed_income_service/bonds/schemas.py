"""Wire shapes of bonds: terms and conventions as data, echoed in every answer.

Rates and per-100 amounts that are terms of the contract travel as decimal strings
(`"0.0425"` is a 4.25 % coupon; `"100"` is redemption at par).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from fixed_income_service.domain.calendars import BusinessDayConvention
from fixed_income_service.domain.daycounts import DayCount

RATE = r"^[0-9]{1,3}(\.[0-9]{1,12})?$"


class RepaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: date
    percent: str = Field(pattern=RATE, description="percent of the original face repaid")


class CallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: date
    price: str = Field(pattern=RATE, description="per 100 of face", examples=["100"])


class BondTermsIn(BaseModel):
    """A bond's terms; `calendar` is one of `GET /v1/calendars`."""

    model_config = ConfigDict(extra="forbid")

    bond_type: Literal["fixed", "zero", "amortizing", "frn"] = "fixed"
    coupon_rate: str = Field(default="0", pattern=RATE, examples=["0.0425"])
    issue_date: date
    maturity_date: date
    frequency: Literal[1, 2, 4, 12] = 2
    day_count: DayCount = DayCount.ACT_ACT_ICMA
    calendar: str = Field(default="US-GOVT", max_length=40)
    payment_convention: BusinessDayConvention = BusinessDayConvention.FOLLOWING
    end_of_month: bool = False
    first_coupon_date: date | None = None
    penultimate_coupon_date: date | None = None
    ex_coupon_days: int = Field(default=0, ge=0, le=30)
    redemption: str = Field(default="100", pattern=RATE)
    amortization: list[RepaymentIn] = Field(default_factory=list, max_length=1200)
    calls: list[CallIn] = Field(default_factory=list, max_length=1200)
    spread: str = Field(
        default="0", pattern=r"^-?" + RATE[1:], description="an FRN's margin over its index"
    )
    lookback_days: int = Field(
        default=0, ge=0, le=10, description="an FRN's overnight rates fixed this early"
    )
    settlement_days: int = Field(
        default=1, ge=0, le=5,
        description="business days of the calendar from a trade date to settlement (T+1)",
    )  # fmt: skip
    overnight_index: str | None = Field(
        default=None,
        pattern=r"^[A-Z][A-Z0-9_-]{0,19}$",
        description="an FRN's index, whose stored fixings pay its coupons (SOFR if omitted)",
    )


class BondCreate(BondTermsIn):
    name: str = Field(min_length=1, max_length=200)
    isin: str | None = Field(default=None, pattern=r"^[A-Z]{2}[A-Z0-9]{9}[0-9]$")
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")


class BondPublic(BondCreate):
    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    created_at: datetime


class BondPage(BaseModel):
    items: list[BondPublic]
    next_cursor: str | None


class CashflowPublic(BaseModel):
    payment_date: date
    kind: Literal["coupon", "principal"]
    accrual_start: date
    accrual_end: date
    amount: str = Field(description="per 100 of original face")
    ex_coupon_date: date | None


class CashflowSchedule(BaseModel):
    bond_id: uuid.UUID
    settlement_date: date | None
    conventions: BondTermsIn
    cashflows: list[CashflowPublic]
