"""Wire shapes of renters (`/v1/tenants`), leases and rent steps."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from realestate_service.domain.proration import Proration
from realestate_service.wire import MoneyIn, MoneyOut


class RenterCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)


class RenterChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)


class RenterPublic(BaseModel):
    id: uuid.UUID
    name: str
    email: str | None
    phone: str | None


class RentStepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective_on: date
    amount: MoneyIn


class RentStepOut(BaseModel):
    effective_on: date
    amount: MoneyOut


class LeaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: uuid.UUID
    tenant_id: uuid.UUID = Field(description="the renter (a `/v1/tenants` id)")
    start_on: date
    end_on: date | None = None
    due_day: int = Field(default=1, ge=1, le=31)
    proration: Proration = Proration.ACTUAL_DAYS
    deposit_amount: MoneyIn = "0"
    rent: list[RentStepIn] = Field(min_length=1, max_length=120)


class LeaseEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    moved_out_on: date | None = None


class LeaseTermination(BaseModel):
    model_config = ConfigDict(extra="forbid")

    moved_out_on: date
    reason: str = Field(min_length=1, max_length=500)


class LeaseRenewal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    end_on: date | None = None
    rent: MoneyIn | None = None


class LeasePublic(BaseModel):
    id: uuid.UUID
    unit_id: uuid.UUID
    tenant_id: uuid.UUID
    status: str
    start_on: date
    end_on: date | None
    moved_out_on: date | None
    due_day: int
    proration: str
    deposit_amount: MoneyOut
    renewal_of: uuid.UUID | None
    rent: list[RentStepOut]


class RenterPage(BaseModel):
    items: list[RenterPublic]
    next_cursor: str | None


class LeasePage(BaseModel):
    items: list[LeasePublic]
    next_cursor: str | None
