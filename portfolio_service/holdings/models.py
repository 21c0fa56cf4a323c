"""The row of the holdings read model."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Integer, Numeric, String, func
from sqlalchemy.orm import Mapped, mapped_column

from portfolio_service.database import PortfolioBase


class AccountPosition(PortfolioBase):
    """What the ledger's events have posted to one account so far."""

    __tablename__ = "account_positions"
    account_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String)
    asset: Mapped[str] = mapped_column(String)
    debits_posted: Mapped[Decimal] = mapped_column(Numeric)
    credits_posted: Mapped[Decimal] = mapped_column(Numeric)
    postings: Mapped[int] = mapped_column(Integer)
    last_transaction_id: Mapped[uuid.UUID] = mapped_column()
    last_committed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    def posted(self, normal_side: str) -> Decimal:
        """The posted balance, as the ledger counts it for an account of this normal side."""
        if normal_side == "debit":
            return self.debits_posted - self.credits_posted
        return self.credits_posted - self.debits_posted
