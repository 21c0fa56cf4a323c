"""Chain intents, nonce managers, reconciliation runs.

An intent is written in the same database transaction as the business change it reports (a
campaign's settlement), under a unique business key (`mint:<investment id>`,
`verify:<address>`), so a retried close never asks for a second certificate. Its life:
`new` → `signed` (nonce allocated under the signer's row lock, signed transaction stored) →
`broadcast` → `mined` (receipt seen; its block hash kept) → `confirmed` (enough blocks on
top). A receipt that disappears or whose block is no longer canonical (a reorg) sends the
intent back to `signed`, and the same signed bytes are broadcast again. A reverted
transaction is `failed`, for an operator.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, LargeBinary, Numeric, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from issuance_service.database import IssuanceBase

OPEN = ("new", "signed", "broadcast", "mined")


class ChainIntent(IssuanceBase):
    __tablename__ = "chain_intents"
    __mapper_args__ = {"eager_defaults": True}

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    tenant_id: Mapped[str]
    business_key: Mapped[str] = mapped_column(unique=True)
    kind: Mapped[str]
    investment_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    args: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(default="new")
    signer: Mapped[str | None] = mapped_column(default=None)
    nonce: Mapped[int | None] = mapped_column(BigInteger, default=None)
    signed_tx: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    tx_hash: Mapped[str | None] = mapped_column(default=None)
    block_number: Mapped[int | None] = mapped_column(BigInteger, default=None)
    block_hash: Mapped[str | None] = mapped_column(default=None)
    confirmations: Mapped[int] = mapped_column(default=0)
    broadcasts: Mapped[int] = mapped_column(default=0)
    reorgs: Mapped[int] = mapped_column(default=0)
    token_id: Mapped[Decimal | None] = mapped_column(Numeric, default=None)
    holder: Mapped[str | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class NonceManager(IssuanceBase):
    """The next nonce of one signing key; its row lock serialises every allocation."""

    __tablename__ = "nonce_managers"

    signer: Mapped[str] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    next_nonce: Mapped[int] = mapped_column(BigInteger)


class ChainReconciliation(IssuanceBase):
    __tablename__ = "chain_reconciliations"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    checked: Mapped[int]
    differences: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
