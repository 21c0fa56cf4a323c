"""Renters (the people renting; `tenant_id` is the organization), leases, rent steps."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Numeric, func
from sqlalchemy.orm import Mapped, mapped_column

from realestate_service.database import RealEstateBase


class Renter(RealEstateBase):
    __tablename__ = "renters"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    name: Mapped[str]
    email: Mapped[str | None]
    phone: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Lease(RealEstateBase):
    __tablename__ = "leases"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("units.id"))
    renter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("renters.id"))
    status: Mapped[str]
    start_on: Mapped[date]
    end_on: Mapped[date | None]
    moved_out_on: Mapped[date | None]
    due_day: Mapped[int]
    proration: Mapped[str]
    deposit_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    renewal_of: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("leases.id"))
    termination_reason: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def last_day(self) -> date | None:
        """The last occupied day: the move-out day, else the planned end (None: open-ended)."""
        return self.moved_out_on or self.end_on


class RentStep(RealEstateBase):
    """The rent from `effective_on` on (a schedule: several steps per lease)."""

    __tablename__ = "rent_steps"

    lease_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leases.id"), primary_key=True)
    effective_on: Mapped[date] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
