"""Wire shapes of transactions: amounts are decimal strings in the account's asset scale."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

MAX_BATCH = 8190
DecimalString = str


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: uuid.UUID
    side: Literal["debit", "credit"]
    amount: DecimalString = Field(pattern=r"^[0-9]{1,20}(\.[0-9]{1,18})?$", examples=["125.00"])


class ConditionIn(BaseModel):
    """`available_at_least` (a floor on the available balance after the transaction) or
    `version` (the account must be at this version before it: optimistic locking)."""

    model_config = ConfigDict(extra="forbid")

    account_id: uuid.UUID
    available_at_least: str | None = Field(default=None, pattern=r"^-?[0-9]{1,20}(\.[0-9]{1,18})?$")
    version: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_kind(self) -> ConditionIn:
        if (self.available_at_least is None) == (self.version is None):
            raise ValueError("give exactly one of available_at_least or version")
        return self


class TransactionCreate(BaseModel):
    """A new transaction: posted now, or pending (a hold) until posted, voided or expired."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    lines: list[LineIn] = Field(min_length=2, max_length=1000)
    mode: Literal["posted", "pending"] = "posted"
    expires_at: AwareDatetime | None = None
    effective_at: AwareDatetime | None = None
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=100)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _expiry_only_for_holds(self) -> TransactionCreate:
        if self.expires_at is not None and self.mode != "pending":
            raise ValueError("expires_at applies only to pending transactions")
        return self


class BatchItem(TransactionCreate):
    group: str | None = Field(
        default=None,
        max_length=100,
        description="items with the same group, next to each other, succeed or fail together",
    )


class BatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transactions: list[BatchItem] = Field(min_length=1, max_length=MAX_BATCH)
    atomic: bool = Field(default=False, description="all items succeed, or none is applied")


class HoldAction(BaseModel):
    """Posting a hold (optionally a smaller amount), or reversing (optionally in part)."""

    model_config = ConfigDict(extra="forbid")

    amount: DecimalString | None = Field(default=None, pattern=r"^[0-9]{1,20}(\.[0-9]{1,18})?$")
    metadata: dict[str, Any] = Field(default_factory=dict)


class MoneyMovement(BaseModel):
    """Cash between the outside world and one of the tenant's accounts."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    account_id: uuid.UUID
    amount: DecimalString = Field(pattern=r"^[0-9]{1,20}(\.[0-9]{1,18})?$")
    metadata: dict[str, Any] = Field(default_factory=dict)


class LineOut(BaseModel):
    account_id: uuid.UUID
    side: str
    amount: str
    asset: str


class TransactionPublic(BaseModel):
    id: uuid.UUID
    kind: str
    target_id: uuid.UUID | None
    lines: list[LineOut]
    effective_at: datetime
    committed_at: datetime
    expires_at: datetime | None
    metadata: dict[str, Any]


class BatchItemResult(BaseModel):
    index: int
    id: uuid.UUID
    status: Literal["created", "existing", "refused"]
    problem: dict[str, Any] | None = None


class BatchResult(BaseModel):
    results: list[BatchItemResult]
    created: int
    existing: int
    refused: int


class TransactionPage(BaseModel):
    items: list[TransactionPublic]
    next_cursor: str | None
