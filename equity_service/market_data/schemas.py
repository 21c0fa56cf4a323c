"""Wire shapes of quotes and bars: prices as decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, field_serializer


class QuotePublic(BaseModel):
    symbol: str
    bid: Decimal
    ask: Decimal
    bid_size: Decimal
    ask_size: Decimal
    as_of: datetime

    @field_serializer("bid", "ask", "bid_size", "ask_size")
    def _as_string(self, value: Decimal) -> str:
        return format(value.normalize(), "f")


class BarPublic(BaseModel):
    day: date
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal

    @field_serializer("open", "high", "low", "close", "volume")
    def _as_string(self, value: Decimal) -> str:
        return format(value.normalize(), "f")


class BarPage(BaseModel):
    items: list[BarPublic]
    next_cursor: str | None


class RowError(BaseModel):
    line: int
    message: str
