"""Investments API bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class InvestmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal = Field(gt=0, max_digits=20, decimal_places=2, examples=["500.00"])


class InvestmentPublic(BaseModel):
    id: uuid.UUID
    campaign_id: uuid.UUID
    investor_id: uuid.UUID
    amount: str
    units: int
    status: str
    hold_id: uuid.UUID
    reject_reason: str | None
    reconfirm_by: datetime | None
    created_at: datetime
