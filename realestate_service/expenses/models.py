"""Expenses by Schedule E line, per building, and their receipt files (kept in Postgres)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, LargeBinary, Numeric, func
from sqlalchemy.orm import Mapped, mapped_column

from realestate_service.database import RealEstateBase


class Expense(RealEstateBase):
    __tablename__ = "expenses"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    building_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("buildings.id"))
    schedule_e_line: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    paid_on: Mapped[date]
    vendor: Mapped[str] = mapped_column(default="")
    memo: Mapped[str] = mapped_column(default="")
    receipt_name: Mapped[str | None]
    receipt_content_type: Mapped[str | None]
    receipt_size: Mapped[int | None]
    receipt_sha256: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Receipt(RealEstateBase):
    __tablename__ = "receipts"

    expense_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("expenses.id"), primary_key=True)
    tenant_id: Mapped[str]
    content: Mapped[bytes] = mapped_column(LargeBinary)
