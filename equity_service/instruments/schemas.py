"""Wire shapes of instruments: decimals as strings."""

from __future__ import annotations

import uuid
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

Positive = r"^[0-9]{1,12}(\.[0-9]{1,9})?$"


class InstrumentCreate(BaseModel):
    """A listing, as an operator registers it (reference data: no tenant)."""

    model_config = ConfigDict(extra="forbid")

    symbol: str = Field(pattern=r"^[A-Z][A-Z0-9.]{0,11}$")
    name: str = Field(min_length=1, max_length=200)
    isin: str = Field(min_length=12, max_length=12)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    fractionable: bool = True
    min_notional: str = Field(default="1", pattern=Positive)
    tick_size: str = Field(default="0.01", pattern=Positive)
    lot_size: str = Field(default="1", pattern=Positive)
    status: str = Field(default="active", pattern=r"^(active|halted|delisted)$")


class InstrumentPublic(BaseModel):
    id: uuid.UUID
    symbol: str
    name: str
    isin: str
    currency: str
    fractionable: bool
    min_notional: Decimal
    tick_size: Decimal
    lot_size: Decimal
    status: str
    ledger_asset: str

    @field_serializer("min_notional", "tick_size", "lot_size")
    def _as_string(self, value: Decimal) -> str:
        return format(value.normalize(), "f")


class InstrumentPage(BaseModel):
    items: list[InstrumentPublic]
    next_cursor: str | None
