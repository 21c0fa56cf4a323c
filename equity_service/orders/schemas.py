"""Wire shapes of orders: quantities and prices are decimal strings."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_serializer, model_validator

Qty = Field(default=None, pattern=r"^[0-9]{1,12}(\.[0-9]{1,9})?$", examples=["10", "0.5"])
Price = Field(default=None, pattern=r"^[0-9]{1,12}(\.[0-9]{1,9})?$", examples=["187.25"])


class OrderCreate(BaseModel):
    """A new order: exactly one of `qty` and `notional`."""

    model_config = ConfigDict(extra="forbid")

    client_order_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
    account_id: uuid.UUID
    symbol: str = Field(min_length=1, max_length=12, pattern=r"^[A-Z][A-Z0-9.]*$")
    side: Literal["buy", "sell"]
    type: Literal["market", "limit", "stop", "stop_limit"]
    time_in_force: Literal["day", "gtc", "ioc", "fok", "gtd"] = "day"
    qty: str | None = Qty
    notional: str | None = Field(default=None, pattern=r"^[0-9]{1,12}(\.[0-9]{1,2})?$")
    limit_price: str | None = Price
    stop_price: str | None = Price
    expire_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_size(self) -> OrderCreate:
        if (self.qty is None) == (self.notional is None):
            raise ValueError("give exactly one of qty or notional")
        return self

    def decimal(self, name: str) -> Decimal | None:
        value = getattr(self, name)
        return None if value is None else Decimal(value)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


class OrderPublic(BaseModel):
    id: uuid.UUID
    client_order_id: str
    account_id: uuid.UUID
    symbol: str
    side: str
    type: str
    time_in_force: str
    qty: Decimal
    notional: Decimal | None
    limit_price: Decimal | None
    stop_price: Decimal | None
    expire_at: datetime | None
    status: str
    filled_qty: Decimal
    filled_avg_price: Decimal | None
    reserved: Decimal
    reject_reason: str | None
    created_at: datetime
    updated_at: datetime

    @field_serializer(
        "qty",
        "notional",
        "limit_price",
        "stop_price",
        "filled_qty",
        "filled_avg_price",
        "reserved",
    )
    def _as_string(self, value: Decimal | None) -> str | None:
        return _text(value)


class OrderPage(BaseModel):
    items: list[OrderPublic]
    next_cursor: str | None


class OrderEventPublic(BaseModel):
    type: str
    status: str
    detail: dict[str, Any]
    at: datetime
