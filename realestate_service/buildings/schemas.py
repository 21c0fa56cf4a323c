"""Wire shapes of buildings, appraisals, units and valuations."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from realestate_service.wire import MoneyIn, MoneyOut


class BuildingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    address: str = Field(default="", max_length=500)
    currency: str = Field(default="USD", pattern=r"^USD$")
    purchase_price: MoneyIn | None = None
    purchase_date: date | None = None


class BuildingChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=500)
    purchase_price: MoneyIn | None = None
    purchase_date: date | None = None


class BuildingPublic(BaseModel):
    id: uuid.UUID
    name: str
    address: str
    currency: str
    purchase_price: MoneyOut | None
    purchase_date: date | None
    archived: bool


class AppraisalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: MoneyIn
    valued_on: date


class AppraisalPublic(BaseModel):
    id: uuid.UUID
    building_id: uuid.UUID
    value: MoneyOut
    valued_on: date


class Valuation(BaseModel):
    building_id: uuid.UUID
    currency: str
    value: MoneyOut
    method: str
    as_of: date
    valued_on: date


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=50)
    bedrooms: int | None = Field(default=None, ge=0, le=50)
    market_rent: MoneyIn | None = None


class UnitsBulkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    units: list[UnitCreate] = Field(min_length=1, max_length=500)


class UnitChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(default=None, min_length=1, max_length=50)
    bedrooms: int | None = Field(default=None, ge=0, le=50)
    market_rent: MoneyIn | None = None


class UnitPublic(BaseModel):
    id: uuid.UUID
    building_id: uuid.UUID
    label: str
    bedrooms: int | None
    market_rent: MoneyOut | None
    archived: bool = False
    occupied: bool | None = None
    lease_id: uuid.UUID | None = None


class BuildingPage(BaseModel):
    items: list[BuildingPublic]
    next_cursor: str | None


class UnitPage(BaseModel):
    items: list[UnitPublic]
    next_cursor: str | None
