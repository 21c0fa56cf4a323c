"""Wire shapes of marks and valuations (CONTRACTS.md): prices per 100 as decimal strings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from fixed_income_service.trades.schemas import PRICE


class MarkCreate(BaseModel):
    """An evaluated clean price per 100 for a date (marking the same date again corrects it)."""

    model_config = ConfigDict(extra="forbid")

    mark_date: date
    clean_price: str = Field(pattern=PRICE, examples=["99.125"])


class MarkPublic(BaseModel):
    id: uuid.UUID
    bond_id: uuid.UUID
    mark_date: date
    clean_price: str
    created_at: datetime


class Valuation(BaseModel):
    bond_id: uuid.UUID
    asset: str = Field(description="ledger asset of the bond's face")
    currency: str
    clean_price: str | None
    dirty_price: str | None
    accrued: str | None
    price_per_unit_face: str | None = Field(
        description="value of one unit of the face asset: dirty/100 x outstanding/100"
    )
    price_source: Literal["trade", "mark", "none"]
    priced_on: date | None = Field(description="date of the trade or mark used")
    as_of: date
