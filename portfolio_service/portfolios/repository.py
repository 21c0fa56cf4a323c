"""SQL of portfolios and their holdings, always filtered by tenant."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from portfolio_service.portfolios.models import Holding, Portfolio, PriceMark


async def portfolio(
    session: AsyncSession, tenant_id: uuid.UUID, portfolio_id: uuid.UUID
) -> Portfolio | None:
    """The tenant's live portfolio, or None (another tenant's or a deleted one too)."""
    query = select(Portfolio).where(
        Portfolio.id == portfolio_id,
        Portfolio.tenant_id == tenant_id,
        Portfolio.deleted_at.is_(None),
    )
    return (await session.execute(query)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    after: uuid.UUID | None,
    limit: int,
    owner_subject: str | None = None,
) -> list[Portfolio]:
    """Up to `limit + 1` live portfolios of the tenant after the cursor, by id (UUIDv7: age)."""
    query = select(Portfolio).where(
        Portfolio.tenant_id == tenant_id, Portfolio.deleted_at.is_(None)
    )
    if owner_subject is not None:
        query = query.where(Portfolio.owner_subject == owner_subject)
    if after is not None:
        query = query.where(Portfolio.id > after)
    return list((await session.execute(query.order_by(Portfolio.id).limit(limit + 1))).scalars())


async def holdings_of(session: AsyncSession, portfolio_ids: list[uuid.UUID]) -> list[Holding]:
    """The holdings of these portfolios."""
    if not portfolio_ids:
        return []
    query = (
        select(Holding)
        .where(Holding.portfolio_id.in_(portfolio_ids))
        .order_by(Holding.kind, Holding.reference, Holding.id)
    )
    return list((await session.execute(query)).scalars())


async def replace_holdings(
    session: AsyncSession, portfolio_id: uuid.UUID, holdings: list[Holding]
) -> None:
    """Make `holdings` the portfolio's whole list."""
    await session.execute(delete(Holding).where(Holding.portfolio_id == portfolio_id))
    session.add_all(holdings)
    await session.flush()


async def record_mark(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    kind: str,
    reference: str,
    price_date: date,
    price: Decimal,
    currency: str,
    source: str,
) -> None:
    """Remember a price a service gave, as the fallback for when it is silent."""
    values = {
        "tenant_id": tenant_id, "kind": kind, "reference": reference, "price_date": price_date,
        "price": price, "currency": currency, "source": source,
    }  # fmt: skip
    statement = insert(PriceMark).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant_id", "kind", "reference", "price_date"],
            set_={"price": price, "currency": currency, "source": source},
        )
    )


async def last_mark(
    session: AsyncSession, tenant_id: uuid.UUID, kind: str, reference: str, on_or_before: date
) -> PriceMark | None:
    """The latest remembered price on or before a date."""
    query = (
        select(PriceMark)
        .where(
            PriceMark.tenant_id == tenant_id,
            PriceMark.kind == kind,
            PriceMark.reference == reference,
            PriceMark.price_date <= on_or_before,
        )
        .order_by(PriceMark.price_date.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()
