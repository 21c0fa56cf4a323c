"""Campaigns API bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Money = Decimal


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    issuer_id: uuid.UUID
    name: str = Field(min_length=1, max_length=200)
    currency: Literal["USD", "EUR", "GBP"] = "USD"
    unit_price: Money = Field(gt=0, max_digits=20, decimal_places=2, examples=["10.00"])
    min_target: Money = Field(gt=0, max_digits=20, decimal_places=2)
    max_target: Money = Field(gt=0, max_digits=20, decimal_places=2)
    platform_fee_bps: int | None = Field(default=None, ge=0, le=10_000)
    duration_days: int = Field(ge=1, le=365)
    requires_accreditation: bool = False
    allowed_jurisdictions: list[str] = Field(min_length=1, max_length=250, examples=[["US"]])


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    reason: str = Field(min_length=3, max_length=2000)


class MaterialChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=10, max_length=5000)


class Extension(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_deadline: AwareDatetime


class CampaignPublic(BaseModel):
    id: uuid.UUID
    issuer_id: uuid.UUID
    name: str
    company: str
    currency: str
    unit_price: str
    min_target: str
    max_target: str
    platform_fee_bps: int
    duration_days: int
    requires_accreditation: bool
    allowed_jurisdictions: list[str]
    status: str
    raised: str
    opened_at: datetime | None
    deadline: datetime | None
    extensions_used: int
    early_close_noticed_at: datetime | None
    material_change_at: datetime | None
    material_change: str | None
    approved_by: str | None
    review_reason: str | None
    closed_at: datetime | None
    settled_at: datetime | None
    certificate_asset: str


class Progress(BaseModel):
    campaign_id: uuid.UUID
    status: str
    currency: str
    raised: str
    min_target: str
    max_target: str
    percent_of_min_target: str = Field(description="raised / min_target x 100, 2 dp, rounded down")
    left_below_max_target: str
    pledges: int
    investors: int
    deadline: datetime | None
    cancel_cutoff: datetime | None
    min_target_met: bool


class Valuation(BaseModel):
    campaign_id: uuid.UUID
    asset: str
    currency: str
    price_per_unit: str
    method: Literal["issue_price"]
    as_of: date


class CampaignPage(BaseModel):
    items: list[CampaignPublic]
    next_cursor: str | None
