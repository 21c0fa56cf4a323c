"""Issuers API bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class IssuerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["Acme Robotics Inc."])
    cash_account_id: uuid.UUID = Field(description="the issuer's cash account in the ledger")


class KycDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["verified", "rejected"]
    reason: str = Field(min_length=3, max_length=2000)


class IssuerPublic(BaseModel):
    id: uuid.UUID
    name: str
    owner_subject: str
    cash_account_id: uuid.UUID
    kyc_status: str
    kyc_reason: str | None
    kyc_reviewed_by: str | None
    kyc_reviewed_at: datetime | None
    created_at: datetime


class DocumentPublic(BaseModel):
    id: uuid.UUID
    issuer_id: uuid.UUID
    doc_type: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    created_at: datetime
