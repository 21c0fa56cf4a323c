"""Wire shapes of expenses."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from realestate_service.wire import MoneyIn, MoneyOut


class ExpenseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    building_id: uuid.UUID
    schedule_e_line: int = Field(ge=5, le=19, description="IRS Schedule E line, 5 to 19")
    amount: MoneyIn
    paid_on: date
    vendor: str = Field(default="", max_length=200)
    memo: str = Field(default="", max_length=500)


class ExpensePublic(BaseModel):
    id: uuid.UUID
    building_id: uuid.UUID
    schedule_e_line: int
    category: str
    amount: MoneyOut
    paid_on: date
    vendor: str
    memo: str
    receipt: dict[str, str | int] | None


class ExpensePage(BaseModel):
    items: list[ExpensePublic]
    next_cursor: str | None
