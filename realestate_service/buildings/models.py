"""Buildings, their appraisals and units (occupancy is derived from leases, never stored)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Numeric, func
from sqlalchemy.orm import Mapped, mapped_column

from realestate_service.database import RealEstateBase


class Building(RealEstateBase):
    __tablename__ = "buildings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    name: Mapped[str]
    address: Mapped[str]
    currency: Mapped[str]
    purchase_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    purchase_date: Mapped[date | None]
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Appraisal(RealEstateBase):
    __tablename__ = "appraisals"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    building_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("buildings.id"))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    valued_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Unit(RealEstateBase):
    __tablename__ = "units"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    building_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("buildings.id"))
    label: Mapped[str]
    bedrooms: Mapped[int | None]
    market_rent: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
