"""An organization's settings and its late-fee policies (organization, building, lease)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Numeric, String, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from realestate_service.database import RealEstateBase


class OrgSettings(RealEstateBase):
    __tablename__ = "org_settings"

    tenant_id: Mapped[str] = mapped_column(primary_key=True)
    fees_last: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LateFeePolicyRow(RealEstateBase):
    __tablename__ = "late_fee_policies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    scope: Mapped[str]
    scope_id: Mapped[uuid.UUID | None]
    grace_days: Mapped[int]
    initial_kind: Mapped[str]
    initial_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    recurrence: Mapped[str]
    recurring_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    cap_per_charge: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    minimum_outstanding: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    applies_to: Mapped[list[str]] = mapped_column(ARRAY(String))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
