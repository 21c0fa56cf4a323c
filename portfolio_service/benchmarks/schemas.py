"""Wire shapes of benchmarks: asset-class weights, each class tracked by an index or a rate."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, PlainSerializer, model_validator

from portfolio_service.domain.valuation import ASSET_CLASSES

AssetClass = Literal["cash", "equity", "fixed_income", "private_markets", "real_estate"]
assert set(AssetClass.__args__) == set(ASSET_CLASSES.values())  # type: ignore[attr-defined]
Rate = Annotated[Decimal, PlainSerializer(lambda v: format(v.normalize(), "f"), return_type=str)]
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class BenchmarkComponent(BaseModel):
    """One asset class of a benchmark: its weight and what gives its return, either the daily
    closes of a listed equity (`index`) or a constant annual rate (`annual_rate`)."""

    asset_class: AssetClass
    weight: Rate = Field(ge=0, le=1)
    index: str | None = Field(default=None, pattern=r"^[A-Z][A-Z0-9.]{0,11}$")
    annual_rate: Rate | None = Field(default=None, gt=-1, le=10)

    @model_validator(mode="after")
    def one_source(self) -> BenchmarkComponent:
        if (self.index is None) == (self.annual_rate is None):
            raise ValueError("give exactly one of `index` and `annual_rate`")
        return self


class BenchmarkPut(BaseModel):
    components: list[BenchmarkComponent] = Field(min_length=1, max_length=5)

    @model_validator(mode="after")
    def whole(self) -> BenchmarkPut:
        classes = [c.asset_class for c in self.components]
        if len(set(classes)) != len(classes):
            raise ValueError("each asset class may appear once")
        if sum(c.weight for c in self.components) != 1:
            raise ValueError("the weights must sum to exactly 1")
        return self


class BenchmarkPublic(BaseModel):
    name: str
    components: list[BenchmarkComponent]
    updated_at: datetime
