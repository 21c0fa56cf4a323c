"""Wire types shared by the routers: money as strings of dollars and cents."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

MONEY_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
MoneyIn = Annotated[str, Field(pattern=MONEY_PATTERN, examples=["1800.00"])]
MoneyOut = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str)]


def dollars(text: str) -> Decimal:
    """A validated money string as Decimal dollars."""
    return Decimal(text)
