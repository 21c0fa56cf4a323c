"""Wire shapes of index fixings: rates as decimal strings (`"0.0531"` is 5.31 %)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

INDEX_NAME = r"^[A-Z][A-Z0-9_-]{0,19}$"
FIXING_RATE = r"^-?0(\.[0-9]{1,12})?$"


class FixingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fixing_date: date
    rate: str = Field(pattern=FIXING_RATE, examples=["0.0531"], description="annual decimal")


class FixingsCreate(BaseModel):
    """Realised fixings of one index; a date already stored must carry the same rate."""

    model_config = ConfigDict(extra="forbid")

    fixings: list[FixingIn] = Field(min_length=1, max_length=5000)


class FixingPublic(BaseModel):
    fixing_date: date
    rate: str


class FixingsPublic(BaseModel):
    index: str
    fixings: list[FixingPublic]
