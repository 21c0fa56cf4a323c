"""The rent ledger: rows are only added. Charges, payments, allocations, adjustments, reversals.

A charge's open amount is its amount minus its allocations (as of a day: those booked by
then); an allocation comes from a payment
(money) or from an adjustment (void, waive, write-off, fee reversal). A payment's money not
allocated is the renter's credit. Un-allocating (a bounced payment, a voided charge) adds
negative allocations; nothing is updated or deleted.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Numeric, func
from sqlalchemy.orm import Mapped, mapped_column

from realestate_service.database import RealEstateBase


class Charge(RealEstateBase):
    __mapper_args__ = {"eager_defaults": True}
    __tablename__ = "charges"

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    lease_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leases.id"))
    kind: Mapped[str]
    period: Mapped[str | None]
    dedupe_key: Mapped[str]
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    due_on: Mapped[date]
    posted_on: Mapped[date]
    memo: Mapped[str] = mapped_column(default="")
    automatic: Mapped[bool] = mapped_column(default=False)
    source_charge_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("charges.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Payment(RealEstateBase):
    __mapper_args__ = {"eager_defaults": True}
    __tablename__ = "payments"

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    lease_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leases.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    received_on: Mapped[date]
    method: Mapped[str]
    reference: Mapped[str] = mapped_column(default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PaymentReversal(RealEstateBase):
    """A bounced (NSF) or voided payment: its allocations are undone by negative ones."""

    __tablename__ = "payment_reversals"

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id"), primary_key=True)
    tenant_id: Mapped[str]
    lease_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leases.id"))
    kind: Mapped[str]
    reason: Mapped[str]
    reversed_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Adjustment(RealEstateBase):
    __mapper_args__ = {"eager_defaults": True}
    """An offsetting row that lowers what a charge asks: void, waive, write-off, fee reversal."""

    __tablename__ = "adjustments"

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[str]
    lease_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leases.id"))
    charge_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("charges.id"))
    kind: Mapped[str]
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    reason: Mapped[str]
    adjusted_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Allocation(RealEstateBase):
    __tablename__ = "allocations"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str]
    lease_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leases.id"))
    charge_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("charges.id"))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payments.id"))
    adjustment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("adjustments.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    # When the money counts for late fees (the payment's receipt, or when it was freed).
    effective_on: Mapped[date]
    # The business day the allocation was made: what "as of" balances read.
    booked_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
