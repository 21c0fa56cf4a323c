"""Wire shapes of the organization's settings and late-fee policies."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from realestate_service.wire import MoneyIn, MoneyOut

FeeableKind = Literal["rent", "utility", "parking", "pet", "damage", "other"]


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fees_last: bool


class SettingsOut(BaseModel):
    fees_last: bool


class LateFeePolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grace_days: int = Field(default=5, ge=0, le=90)
    initial_kind: Literal["flat", "percent_rent", "percent_outstanding"] = "flat"
    initial_amount: MoneyIn
    recurrence: Literal["none", "daily", "monthly"] = "none"
    recurring_amount: MoneyIn = "0"
    cap_per_charge: MoneyIn | None = None
    minimum_outstanding: MoneyIn = "0"
    applies_to: list[FeeableKind] = Field(default=["rent"], min_length=1)


class LateFeePolicyOut(BaseModel):
    id: uuid.UUID
    scope: str
    scope_id: uuid.UUID | None
    grace_days: int
    initial_kind: str
    initial_amount: MoneyOut
    recurrence: str
    recurring_amount: MoneyOut
    cap_per_charge: MoneyOut | None
    minimum_outstanding: MoneyOut
    applies_to: list[str]
