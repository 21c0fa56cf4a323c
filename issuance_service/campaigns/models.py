"""Campaigns (tenant-owned rows)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Numeric, func
from sqlalchemy.orm import Mapped, mapped_column

from issuance_service.database import IssuanceBase
from issuance_service.domain.campaign_rules import Targets
from issuance_service.domain.campaign_states import Status


class Campaign(IssuanceBase):
    __tablename__ = "campaigns"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    issuer_id: Mapped[uuid.UUID]
    owner_subject: Mapped[str]
    name: Mapped[str]
    company: Mapped[str]
    currency: Mapped[str]
    cash_asset: Mapped[str]
    unit_price: Mapped[Decimal] = mapped_column(Numeric)
    min_target: Mapped[Decimal] = mapped_column(Numeric)
    max_target: Mapped[Decimal] = mapped_column(Numeric)
    platform_fee_bps: Mapped[int]
    duration_days: Mapped[int]
    requires_accreditation: Mapped[bool]
    allowed_jurisdictions: Mapped[str]
    status: Mapped[str] = mapped_column(default=Status.DRAFT.value)
    # Σ amount of the live pledges (pending and pledged), kept under the campaign's row lock.
    raised: Mapped[Decimal] = mapped_column(Numeric, default=Decimal(0))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    extensions_used: Mapped[int] = mapped_column(default=0)
    early_close_noticed_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), default=None
    )
    material_change_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), default=None
    )
    material_change: Mapped[str | None] = mapped_column(default=None)
    approved_by: Mapped[str | None] = mapped_column(default=None)
    review_reason: Mapped[str | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    certificate_asset: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def targets(self) -> Targets:
        return Targets(self.min_target, self.max_target)
