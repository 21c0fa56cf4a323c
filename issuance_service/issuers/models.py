"""Issuers (companies raising money) and their KYC documents (tenant-owned rows)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, LargeBinary, func
from sqlalchemy.orm import Mapped, mapped_column

from issuance_service.database import IssuanceBase


class Issuer(IssuanceBase):
    __tablename__ = "issuers"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    name: Mapped[str]
    owner_subject: Mapped[str]
    cash_account_id: Mapped[uuid.UUID]
    kyc_status: Mapped[str] = mapped_column(default="pending")
    kyc_reason: Mapped[str | None] = mapped_column(default=None)
    kyc_reviewed_by: Mapped[str | None] = mapped_column(default=None)
    kyc_reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IssuerDocument(IssuanceBase):
    __tablename__ = "issuer_documents"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    issuer_id: Mapped[uuid.UUID]
    doc_type: Mapped[str]
    content_type: Mapped[str]
    size: Mapped[int]
    sha256: Mapped[str]
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
