"""The row of the membership audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from portfolio_service.database import PortfolioBase


class MembershipAudit(PortfolioBase):
    """One change of a tenant's membership: who did what to whom, before and after, when."""

    __tablename__ = "membership_audit"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    actor_user_id: Mapped[uuid.UUID] = mapped_column()
    action: Mapped[str] = mapped_column(String)
    member_user_id: Mapped[uuid.UUID | None] = mapped_column()
    member_email: Mapped[str] = mapped_column(String)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
