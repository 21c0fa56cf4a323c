"""Wire shapes of security deposits."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from realestate_service.wire import MoneyIn, MoneyOut


class DepositMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: MoneyIn
    on: date
    memo: str = Field(default="", max_length=500)


class DepositEntryOut(BaseModel):
    id: uuid.UUID
    kind: str
    amount: MoneyOut
    on: date
    memo: str
    payment_id: uuid.UUID | None


class DepositPublic(BaseModel):
    lease_id: uuid.UUID
    required: MoneyOut
    held: MoneyOut
    received: MoneyOut
    applied: MoneyOut
    refunded: MoneyOut
    forfeited: MoneyOut
    entries: list[DepositEntryOut]
