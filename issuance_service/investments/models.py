"""Investments: one pledge of one investor in one campaign, held in escrow in the ledger.

Statuses: `pending` (committed, the hold is being placed), `pledged` (held), `rejected` (the
ledger refused the hold), `canceled` (by the investor, hold voided), `confirmed` (the campaign
succeeded: hold posted, certificate units credited), `refunded` (the campaign failed or was
cancelled: hold voided).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Numeric, func
from sqlalchemy.orm import Mapped, mapped_column

from issuance_service.database import IssuanceBase

LIVE = ("pending", "pledged")
COUNTED_FOR_LIMIT = ("pending", "pledged", "confirmed")


class Investment(IssuanceBase):
    __tablename__ = "investments"
    __mapper_args__ = {"eager_defaults": True}

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.id"))
    investor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("investors.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric)
    units: Mapped[int]
    status: Mapped[str] = mapped_column(default="pending")
    hold_id: Mapped[uuid.UUID]
    reject_reason: Mapped[str | None] = mapped_column(default=None)
    # Set by a material change: the pledge is refunded unless reconfirmed by then.
    reconfirm_by: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
