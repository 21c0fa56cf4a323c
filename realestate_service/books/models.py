"""Postings owed to the ledger service: written with the payment, sent after the commit."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, ForeignKey, Numeric, func
from sqlalchemy.orm import Mapped, mapped_column

from realestate_service.database import RealEstateBase


class LedgerPosting(RealEstateBase):
    """`id` is the ledger transaction id: derived from the payment or deposit movement, so a
    retry posts once."""

    __tablename__ = "ledger_postings"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    tenant_id: Mapped[str]
    kind: Mapped[str]
    payment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payments.id"))
    deposit_entry_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("deposit_entries.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None]
