"""Rows of portfolios, holdings, last known prices and valuation snapshots."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Numeric, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from portfolio_service.database import PortfolioBase


class Portfolio(PortfolioBase):
    """A named group of holdings owned by one user of a tenant."""

    __tablename__ = "portfolios"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column()
    owner_subject: Mapped[str] = mapped_column(String)
    name: Mapped[str] = mapped_column(String)
    base_currency: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    targets: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class Holding(PortfolioBase):
    """A position: a ledger account (cash, shares, bond face, certificates) or a property share."""

    __tablename__ = "holdings"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    portfolio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("portfolios.id"))
    tenant_id: Mapped[uuid.UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String)
    reference: Mapped[str] = mapped_column(String)
    ledger_account_id: Mapped[uuid.UUID | None] = mapped_column()
    asset: Mapped[str | None] = mapped_column(String)
    share: Mapped[Decimal | None] = mapped_column(Numeric)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class PriceMark(PortfolioBase):
    """The last price a service gave for an instrument on a date: the stale fallback."""

    __tablename__ = "price_marks"
    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String, primary_key=True)
    reference: Mapped[str] = mapped_column(String, primary_key=True)
    price_date: Mapped[date] = mapped_column(Date, primary_key=True)
    price: Mapped[Decimal] = mapped_column(Numeric)
    currency: Mapped[str] = mapped_column(String)
    source: Mapped[str] = mapped_column(String)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ValuationSnapshot(PortfolioBase):
    """A portfolio's value at the end of a day and the net external flow of that day."""

    __tablename__ = "valuation_snapshots"
    portfolio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("portfolios.id"), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column()
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    value: Mapped[Decimal] = mapped_column(Numeric)
    net_flow: Mapped[Decimal] = mapped_column(Numeric, default=Decimal(0))
    complete: Mapped[bool] = mapped_column(Boolean)
    lines: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RebalancePlan(PortfolioBase):
    """A list of share orders that moves a portfolio toward its targets, executed on demand."""

    __tablename__ = "rebalance_plans"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    portfolio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("portfolios.id"))
    tenant_id: Mapped[uuid.UUID] = mapped_column()
    mode: Mapped[str] = mapped_column(String)
    cash_account_id: Mapped[uuid.UUID | None] = mapped_column()
    legs: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    created_by: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    executed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    orders: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
