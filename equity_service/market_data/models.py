"""Daily bars and the latest quote of each instrument."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from equity_service.database import EquityBase


class Bar(EquityBase):
    __tablename__ = "bars"

    instrument_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("instruments.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    open: Mapped[Decimal] = mapped_column(Numeric)
    high: Mapped[Decimal] = mapped_column(Numeric)
    low: Mapped[Decimal] = mapped_column(Numeric)
    close: Mapped[Decimal] = mapped_column(Numeric)
    volume: Mapped[Decimal] = mapped_column(Numeric)


class QuoteRecord(EquityBase):
    __tablename__ = "quotes"

    instrument_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("instruments.id"), primary_key=True)
    bid: Mapped[Decimal] = mapped_column(Numeric)
    ask: Mapped[Decimal] = mapped_column(Numeric)
    bid_size: Mapped[Decimal] = mapped_column(Numeric)
    ask_size: Mapped[Decimal] = mapped_column(Numeric)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
