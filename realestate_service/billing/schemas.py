"""Wire shapes of the rent ledger."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from realestate_service.wire import MoneyIn, MoneyOut

ManualKind = Literal["rent", "utility", "parking", "pet", "damage", "other", "late_fee"]


class ChargeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ManualKind
    amount: MoneyIn
    due_on: date
    memo: str = Field(default="", max_length=500)


class PaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: MoneyIn
    received_on: date
    method: Literal["check", "ach", "cash", "card", "money_order", "other"] = "ach"
    reference: str = Field(default="", max_length=200)


class PaymentReversalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["nsf", "void"]
    reason: str = Field(min_length=1, max_length=500)
    nsf_fee: MoneyIn | None = None
    reversed_on: date | None = None


class ChargeAdjustmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)
    amount: MoneyIn | None = Field(default=None, description="waive/write-off: default all open")
    on: date | None = None


class ReallocationLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    charge_id: uuid.UUID
    amount: MoneyIn


class Reallocation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allocations: list[ReallocationLine] = Field(min_length=1, max_length=200)


class ChargePublic(BaseModel):
    id: uuid.UUID
    lease_id: uuid.UUID
    kind: str
    period: str | None
    amount: MoneyOut
    open: MoneyOut
    due_on: date
    posted_on: date
    memo: str
    automatic: bool


class PaymentPublic(BaseModel):
    id: uuid.UUID
    lease_id: uuid.UUID
    amount: MoneyOut
    unallocated: MoneyOut
    received_on: date
    method: str
    reference: str
    reversed: bool


class AdjustmentPublic(BaseModel):
    id: uuid.UUID
    charge_id: uuid.UUID
    kind: str
    amount: MoneyOut
    reason: str
    on: date


class BalancePublic(BaseModel):
    lease_id: uuid.UUID
    open_receivable: MoneyOut
    credit: MoneyOut
    net: MoneyOut


class LedgerEntry(BaseModel):
    on: date
    type: str
    id: uuid.UUID
    description: str
    amount: MoneyOut
    balance: MoneyOut


class LeaseLedger(BaseModel):
    lease_id: uuid.UUID
    entries: list[LedgerEntry]
    charges: list[ChargePublic]
    balance: BalancePublic
