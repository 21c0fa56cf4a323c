"""Corporate actions as applied (reference data: they concern every tenant's holders)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Numeric, func
from sqlalchemy.orm import Mapped, mapped_column

from equity_service.database import EquityBase


class CorporateAction(EquityBase):
    __tablename__ = "corporate_actions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    instrument_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("instruments.id"))
    kind: Mapped[str]
    ratio_to: Mapped[Decimal | None] = mapped_column(Numeric, default=None)
    ratio_from: Mapped[Decimal | None] = mapped_column(Numeric, default=None)
    cash_per_share: Mapped[Decimal | None] = mapped_column(Numeric, default=None)
    record_date: Mapped[date | None] = mapped_column(default=None)
    pay_date: Mapped[date | None] = mapped_column(default=None)
    declared_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    # When it took effect: a split at once, a dividend when it is paid.
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
