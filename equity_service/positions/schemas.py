"""Wire shape of a position: decimals as strings."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, field_serializer


class PositionPublic(BaseModel):
    symbol: str
    qty: Decimal  # the ledger's balance: free plus reserved for open sell orders
    qty_available: Decimal
    cost_basis_method: str
    cost_basis: Decimal
    avg_entry_price: Decimal | None
    mark_price: Decimal | None
    market_value: Decimal | None
    unrealized_pl: Decimal | None
    realized_pl: Decimal

    @field_serializer("qty", "qty_available", "mark_price")
    def _quantity(self, value: Decimal | None) -> str | None:
        return None if value is None else format(value.normalize(), "f")

    @field_serializer(
        "cost_basis", "avg_entry_price", "market_value", "unrealized_pl", "realized_pl"
    )
    def _money(self, value: Decimal | None) -> str | None:
        return None if value is None else format(value, "f")
