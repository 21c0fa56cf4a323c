"""Wire shapes of portfolios, holdings and valuations (amounts as decimal strings)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, PlainSerializer

HoldingKind = Literal["cash", "equity", "bond", "certificate", "property"]
Amount = Annotated[Decimal, PlainSerializer(lambda v: format(v.normalize(), "f"), return_type=str)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class HoldingIn(BaseModel):
    """A position to include. Ledger kinds name their account; property names a building.

    `reference`: cash — ignored (the account's asset says the currency); equity — the symbol
    (default: read from the account's asset `<SYMBOL>/9`); bond — the bond id; certificate — the
    campaign id; property — the building id, with `share` the fraction owned (default 1).
    """

    kind: HoldingKind
    ledger_account_id: uuid.UUID | None = None
    reference: str | None = Field(default=None, min_length=1, max_length=100)
    share: Decimal | None = Field(default=None, gt=0, le=1)


class PortfolioCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    base_currency: Currency = "USD"
    holdings: list[HoldingIn] = Field(default_factory=list, max_length=500)


class PortfolioUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    base_currency: Currency | None = None
    holdings: list[HoldingIn] | None = Field(default=None, max_length=500)


class HoldingPublic(BaseModel):
    id: uuid.UUID
    kind: HoldingKind
    reference: str
    ledger_account_id: uuid.UUID | None
    asset: str | None
    share: Amount | None


class PortfolioPublic(BaseModel):
    id: uuid.UUID
    name: str
    base_currency: str
    owner_subject: str
    created_at: datetime
    updated_at: datetime
    holdings: list[HoldingPublic]


class PortfolioPage(BaseModel):
    items: list[PortfolioPublic]
    next_cursor: str | None


class HoldingValue(BaseModel):
    holding_id: uuid.UUID
    kind: HoldingKind
    reference: str
    asset_class: str
    quantity: Amount
    currency: str | None
    price: Amount | None
    value: Amount | None = Field(description="quantity x price, in the holding's currency")
    price_source: str
    price_date: date | None
    stale: bool = Field(description="the service did not answer: last known price used")
    in_total: bool = Field(description="counted in the total (priced, in the base currency)")
    note: str | None = None
    quantity_source: Literal["ledger", "read_model"] = Field(
        default="ledger", description="the ledger's balance, or the bus-fed holdings read model"
    )


class Valuation(BaseModel):
    portfolio_id: uuid.UUID
    as_of: date
    base_currency: str
    total: Amount
    complete: bool = Field(description="every holding priced fresh and counted")
    stale_services: list[str]
    holdings: list[HoldingValue]
