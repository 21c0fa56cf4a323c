"""Wire shapes of accounts and balances."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ACCOUNT_NAME = r"^[A-Za-z0-9_.:@-]+(/[A-Za-z0-9_.:@-]+)*$"


class AccountCreate(BaseModel):
    """A new account; `name` is hierarchical (`tenant:acme/user:42/cash`) and unique."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    name: str = Field(pattern=ACCOUNT_NAME, max_length=300)
    asset: str = Field(max_length=40, examples=["USD/2", "USD"])
    normal_side: Literal["debit", "credit"] = "credit"
    debits_must_not_exceed_credits: bool = False
    credits_must_not_exceed_debits: bool = False
    metadata: dict[str, Any] = Field(default_factory=dict)


class AccountPublic(BaseModel):
    id: uuid.UUID
    name: str
    asset: str
    normal_side: str
    debits_pending: str
    debits_posted: str
    credits_pending: str
    credits_posted: str
    debits_must_not_exceed_credits: bool
    credits_must_not_exceed_debits: bool
    closed: bool
    version: int
    metadata: dict[str, Any]
    created_at: datetime


class AccountPage(BaseModel):
    items: list[AccountPublic]
    next_cursor: str | None


class BalancePublic(BaseModel):
    account_id: uuid.UUID
    asset: str
    as_of: datetime | None
    version: int
    posted: str
    pending: str
    available: str


class EntryPublic(BaseModel):
    version: int
    transaction_id: uuid.UUID
    committed_at: datetime
    effective_at: datetime
    debits_pending: str
    debits_posted: str
    credits_pending: str
    credits_posted: str
    posted: str
    available: str


class EntryPage(BaseModel):
    items: list[EntryPublic]
    next_cursor: str | None
