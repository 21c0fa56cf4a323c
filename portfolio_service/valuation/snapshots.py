"""Daily valuation snapshots: the value at the end of a day and that day's external flow.

Taken by the worker every night for the day before (beat), or on demand for any past day;
taking a day again replaces its snapshot. The gateway values as itself (`service:portfolio`,
role `service`) for the portfolio's tenant: no user is signed in at night.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.policy import Principal, Role
from portfolio_service.portfolios import repository
from portfolio_service.portfolios.models import Portfolio, ValuationSnapshot
from portfolio_service.valuation.downstream import Fleet
from portfolio_service.valuation.flows import net_flow
from portfolio_service.valuation.service import value_portfolio


def gateway_acting_for(tenant_id: uuid.UUID) -> Principal:
    """The gateway itself, acting for a tenant (nightly jobs)."""
    return Principal("service:portfolio", str(tenant_id), frozenset({Role.SERVICE.value}))


async def take_snapshot(
    session: AsyncSession, fleet: Fleet, portfolio: Portfolio, day: date, deadline: float
) -> ValuationSnapshot:
    """Value the portfolio at the end of `day`, add the day's flows, and keep both."""
    acting = gateway_acting_for(portfolio.tenant_id)
    holdings = await repository.holdings_of(session, [portfolio.id])
    valuation = await value_portfolio(session, fleet, acting, portfolio, holdings, day, deadline)
    prices = {
        str(line.holding_id): line.price
        for line in valuation.holdings
        if line.price is not None and line.in_total
    }
    flow = await net_flow(fleet, acting, holdings, prices, day)
    lines = {
        str(line.holding_id): {
            "kind": line.kind, "asset_class": line.asset_class, "reference": line.reference,
            "quantity": str(line.quantity), "price": str(line.price), "value": str(line.value),
        }
        for line in valuation.holdings
        if line.in_total and line.price is not None and line.value is not None
    }  # fmt: skip
    return await keep_snapshot(
        session, portfolio, day, valuation.total, flow, valuation.complete, lines
    )


async def keep_snapshot(
    session: AsyncSession,
    portfolio: Portfolio,
    day: date,
    value: Decimal,
    flow: Decimal,
    complete: bool,
    lines: dict[str, dict[str, str]],
) -> ValuationSnapshot:
    """Store the snapshot of `day`, replacing the one taken before (if any)."""
    values = {
        "portfolio_id": portfolio.id, "tenant_id": portfolio.tenant_id, "day": day,
        "value": value, "net_flow": flow, "complete": complete, "lines": lines,
    }  # fmt: skip
    statement = insert(ValuationSnapshot).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["portfolio_id", "day"],
            set_={"value": value, "net_flow": flow, "complete": complete, "lines": lines},
        )
    )
    return ValuationSnapshot(**values)


async def opening_snapshot(
    session: AsyncSession, portfolio_id: uuid.UUID, start: date
) -> ValuationSnapshot | None:
    """The last snapshot before `start`, if any."""
    before = await session.execute(
        select(ValuationSnapshot)
        .where(ValuationSnapshot.portfolio_id == portfolio_id, ValuationSnapshot.day < start)
        .order_by(ValuationSnapshot.day.desc())
        .limit(1)
    )
    return before.scalar_one_or_none()


async def snapshots_between(
    session: AsyncSession, portfolio_id: uuid.UUID, start: date, end: date
) -> tuple[Decimal, list[ValuationSnapshot]]:
    """The value at the end of the day before `start` (0 if none) and the snapshots of
    [start, end], oldest first."""
    before = await opening_snapshot(session, portfolio_id, start)
    opening = before.value if before is not None else Decimal(0)
    rows = await session.execute(
        select(ValuationSnapshot)
        .where(
            ValuationSnapshot.portfolio_id == portfolio_id,
            ValuationSnapshot.day >= start,
            ValuationSnapshot.day <= end,
        )
        .order_by(ValuationSnapshot.day)
    )
    return opening, list(rows.scalars())
