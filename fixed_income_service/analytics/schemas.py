"""Wire shapes of analytics batches and jobs."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fixed_income_service.bonds.schemas import BondTermsIn
from fixed_income_service.domain.analytics import MEASURES

Measure = Literal[
    "accrued_interest", "clean_price", "dirty_price", "yield", "macaulay_duration",
    "modified_duration", "convexity", "dv01", "current_yield", "cashflows", "z_spread",
    "yield_to_call", "yield_to_worst", "g_spread", "key_rate_durations",
]  # fmt: skip
OPT_IN = (
    "cashflows", "z_spread", "yield_to_call", "yield_to_worst", "g_spread", "key_rate_durations",
)  # fmt: skip
DEFAULT_MEASURES: list[Measure] = [m for m in MEASURES if m not in OPT_IN]  # type: ignore[misc]
MAX_ITEMS = 200_000


class AnalyticsRequest(BaseModel):
    """Items are checked one by one (a malformed item is that item's problem, not the batch's)."""

    model_config = ConfigDict(extra="forbid")

    settlement_date: date
    yield_convention: Literal["true", "street"] = "true"
    measures: list[Measure] = Field(default_factory=DEFAULT_MEASURES.copy, min_length=1)
    items: list[Any] = Field(min_length=1, max_length=MAX_ITEMS)


class ItemIn(BaseModel):
    """A stored bond (`bond_id`) or an inline one (`bond`), with exactly one quote; a
    `curve_id` prices a `z_spread` quote, or asks for the z-spread measure."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    bond_id: uuid.UUID | None = None
    bond: BondTermsIn | None = None
    clean_price: float | None = None
    dirty_price: float | None = None
    yield_: float | None = Field(default=None, alias="yield")
    z_spread: float | None = None
    curve_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _exactly_one_of_each(self) -> ItemIn:
        if (self.bond_id is None) == (self.bond is None):
            raise ValueError("give exactly one of bond_id or bond")
        quotes = [self.clean_price, self.dirty_price, self.yield_, self.z_spread]
        if len([q for q in quotes if q is not None]) != 1:
            raise ValueError("give exactly one of clean_price, dirty_price, yield or z_spread")
        if self.z_spread is not None and self.curve_id is None:
            raise ValueError("a z_spread needs the curve_id it is a spread over")
        return self


class JobPublic(BaseModel):
    id: uuid.UUID
    state: Literal["queued", "running", "succeeded", "failed"]
    done: int
    total: int
    result: str | None = Field(description="link to the result once the job succeeded")
    error: str | None = None
