"""Investors: KYC, accreditation, income and net worth, their ledger cash account."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Numeric, func
from sqlalchemy.orm import Mapped, mapped_column

from issuance_service.database import IssuanceBase


class Investor(IssuanceBase):
    __tablename__ = "investors"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    subject: Mapped[str]
    cash_account_id: Mapped[uuid.UUID]
    jurisdiction: Mapped[str]
    annual_income: Mapped[Decimal] = mapped_column(Numeric)
    net_worth: Mapped[Decimal] = mapped_column(Numeric)
    kyc_status: Mapped[str] = mapped_column(default="pending")
    kyc_reason: Mapped[str | None] = mapped_column(default=None)
    accredited: Mapped[bool] = mapped_column(default=False)
    # Where the investor's certificates are minted; None: held in the platform's custody.
    wallet_address: Mapped[str | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
