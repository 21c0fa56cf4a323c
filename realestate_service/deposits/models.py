"""Security deposits: a liability held for the renter, moved only by these entries."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, ForeignKey, Numeric, func
from sqlalchemy.orm import Mapped, mapped_column

from realestate_service.database import RealEstateBase


class DepositEntry(RealEstateBase):
    """`received` adds to what is held; `applied`, `refunded` and `forfeited` take from it."""

    __tablename__ = "deposit_entries"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    tenant_id: Mapped[str]
    lease_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leases.id"))
    kind: Mapped[str]
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    entered_on: Mapped[date]
    memo: Mapped[str] = mapped_column(default="")
    payment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payments.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
