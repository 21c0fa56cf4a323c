"""Wire shapes of bond trades: amounts and prices as decimal strings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FACE = r"^[0-9]{1,13}(\.[0-9]{1,2})?$"
PRICE = r"^[0-9]{1,5}(\.[0-9]{1,10})?$"


class TradeCreate(BaseModel):
    """Buy or sell `face_amount` of a bond at a clean price per 100: settled today, or with a
    `trade_date` on that date plus the bond's settlement days."""

    model_config = ConfigDict(extra="forbid")

    client_trade_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
    account_id: uuid.UUID = Field(description="the user's cash account in the ledger")
    bond_id: uuid.UUID
    side: Literal["buy", "sell"]
    face_amount: str = Field(pattern=FACE, examples=["10000.00"], description="original face")
    clean_price: str = Field(pattern=PRICE, examples=["99.25"], description="per 100")
    settlement_date: date | None = Field(default=None, description="today (UTC) if omitted")
    trade_date: date | None = Field(
        default=None,
        description="today or earlier: the trade then settles `settlement_days` business days "
        "later (pending until then); without it the trade settles today",
    )


class TradePublic(BaseModel):
    id: uuid.UUID
    client_trade_id: str
    account_id: uuid.UUID
    bond_id: uuid.UUID
    side: str
    face_amount: str
    clean_price: str
    accrued: str = Field(description="per 100 outstanding at settlement")
    dirty_price: str
    outstanding: str = Field(description="face outstanding per 100 original")
    cash_amount: str = Field(description="cash paid (buy) or received (sell)")
    cash_asset: str
    face_asset: str
    settlement_date: date
    ledger_transaction_id: uuid.UUID = Field(
        description="the ledger transaction that settles (or settled) the trade"
    )
    trade_date: date | None
    status: Literal["pending", "settled", "failed"]
    failure: str | None = Field(description="why a pending trade could not settle")
    created_at: datetime


class TradePage(BaseModel):
    items: list[TradePublic]
    next_cursor: str | None
