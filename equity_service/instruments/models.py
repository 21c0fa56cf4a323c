"""The instruments table: listed equities, shared reference data (no tenant)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Numeric, String, func
from sqlalchemy.orm import Mapped, mapped_column

from equity_service.database import EquityBase


class Instrument(EquityBase):
    __tablename__ = "instruments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    symbol: Mapped[str] = mapped_column(String, unique=True)
    name: Mapped[str]
    isin: Mapped[str] = mapped_column(String, unique=True)
    currency: Mapped[str]
    fractionable: Mapped[bool]
    min_notional: Mapped[Decimal] = mapped_column(Numeric)
    tick_size: Mapped[Decimal] = mapped_column(Numeric)
    lot_size: Mapped[Decimal] = mapped_column(Numeric)
    status: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def ledger_asset(self) -> str:
        """The instrument's asset in the ledger: fractional shares to 9 decimals."""
        return f"{self.symbol.replace('.', '_')}/9"

    @property
    def qty_step(self) -> Decimal:
        """The smallest quantity an order may add: 10⁻⁹ if fractionable, else a lot."""
        return Decimal("0.000000001") if self.fractionable else self.lot_size
