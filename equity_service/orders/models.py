"""Orders, their event history and their fills (tenant-owned rows)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Numeric, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from equity_service.database import EquityBase
from equity_service.domain.order_states import Status


class Order(EquityBase):
    __tablename__ = "orders"
    # Server-made columns (seq, timestamps) come back with RETURNING: no reload round trip.
    __mapper_args__ = {"eager_defaults": True}

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    client_order_id: Mapped[str]
    request_hash: Mapped[str]
    account_id: Mapped[uuid.UUID]
    instrument_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("instruments.id"))
    symbol: Mapped[str]
    side: Mapped[str]
    type: Mapped[str]
    time_in_force: Mapped[str]
    qty: Mapped[Decimal] = mapped_column(Numeric)
    notional: Mapped[Decimal | None] = mapped_column(Numeric)
    limit_price: Mapped[Decimal | None] = mapped_column(Numeric)
    stop_price: Mapped[Decimal | None] = mapped_column(Numeric)
    expire_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str]
    cash_scale: Mapped[int]
    triggered: Mapped[bool] = mapped_column(default=False)
    # Exact Σ qty x price of the fills: the basis of cumulative rounding (domain/money.py).
    filled_qty: Mapped[Decimal] = mapped_column(Numeric, default=Decimal(0))
    filled_value: Mapped[Decimal] = mapped_column(Numeric, default=Decimal(0))
    # Held in the ledger (cash for a buy, shares for a sell), and how much fills used of it.
    reserved: Mapped[Decimal] = mapped_column(Numeric, default=Decimal(0))
    used: Mapped[Decimal] = mapped_column(Numeric, default=Decimal(0))
    hold_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    # Set once an instruction posts the hold into the reserve account (first fill, a split):
    # from then on what is left is returned by a transfer, not a void.
    hold_posted: Mapped[bool] = mapped_column(default=False)
    reject_reason: Mapped[str | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    @property
    def remaining(self) -> Decimal:
        return self.qty - self.filled_qty

    @property
    def status_enum(self) -> Status:
        return Status(self.status)


class OrderEvent(EquityBase):
    __tablename__ = "order_events"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"))
    type: Mapped[str]
    status: Mapped[str]
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Fill(EquityBase):
    __tablename__ = "fills"

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"))
    counter_order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"))
    qty: Mapped[Decimal] = mapped_column(Numeric)
    price: Mapped[Decimal] = mapped_column(Numeric)
    cash: Mapped[Decimal] = mapped_column(Numeric)
    fee: Mapped[Decimal] = mapped_column(Numeric)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
