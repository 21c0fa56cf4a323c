"""Investors API bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Amount = Decimal


class InvestorCreate(BaseModel):
    """An investor's own declaration (Reg CF lets the platform rely on it for income and net
    worth); KYC and accreditation are compliance's decisions."""

    model_config = ConfigDict(extra="forbid")

    cash_account_id: uuid.UUID
    jurisdiction: str = Field(pattern=r"^[A-Z]{2}$", examples=["US"])
    annual_income: Amount = Field(ge=0, max_digits=20, decimal_places=2)
    net_worth: Amount = Field(ge=0, max_digits=20, decimal_places=2)
    wallet_address: str | None = Field(default=None, pattern=r"^0x[0-9a-fA-F]{40}$")


class InvestorReview(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kyc_status: Literal["verified", "rejected", "pending"]
    accredited: bool
    reason: str = Field(min_length=3, max_length=2000)


class InvestorPublic(BaseModel):
    id: uuid.UUID
    subject: str
    cash_account_id: uuid.UUID
    jurisdiction: str
    annual_income: str
    net_worth: str
    kyc_status: str
    kyc_reason: str | None
    accredited: bool
    wallet_address: str | None
    created_at: datetime


class LimitsPublic(BaseModel):
    investor_id: uuid.UUID
    accredited: bool
    limit: str | None = Field(description="12-month limit; null when there is none")
    invested_last_12_months: str
    remaining: str | None
    rule: Literal["accredited", "floor", "five_percent", "ten_percent", "cap"]
    explanation: str
    window_start: datetime
