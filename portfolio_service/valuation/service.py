"""Valuing a portfolio: one concurrent fan-out under a total deadline, stale when silent."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.policy import Principal
from fleetkit.problems import ProblemError
from portfolio_service.domain.valuation import ASSET_CLASSES, position_value
from portfolio_service.portfolios import repository
from portfolio_service.portfolios.models import Holding, Portfolio
from portfolio_service.portfolios.schemas import HoldingValue, Valuation
from portfolio_service.valuation.downstream import Fleet, ServiceSilent
from portfolio_service.valuation.prices import SERVICE_OF_KIND, Price, price_of

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    """What one fan-out call produced: a value or the reason it did not."""

    value: Any = None
    failure: str | None = None


def end_of_day(day: date) -> datetime:
    """The instant a business day's balances are read at: its last moment, UTC."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


async def gather_within(calls: list[Awaitable[T]], deadline: float) -> list[Outcome]:
    """Run every call at once; whatever has not answered by `deadline` seconds is cut off."""
    tasks = [asyncio.ensure_future(call) for call in calls]
    if not tasks:
        return []
    _, pending = await asyncio.wait(tasks, timeout=deadline)
    for task in pending:
        task.cancel()
    outcomes = []
    for task in tasks:
        if task in pending:
            outcomes.append(Outcome(failure="no answer within the deadline"))
        elif isinstance(task.exception(), ServiceSilent):
            outcomes.append(Outcome(failure=str(task.exception())))
        elif task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
        else:
            outcomes.append(Outcome(value=task.result()))
    return outcomes


async def _known(quantity: Decimal) -> Decimal:
    return quantity


async def _quantity(fleet: Fleet, acting: Principal, holding: Holding, as_of: date) -> Decimal:
    if holding.ledger_account_id is None:
        return holding.share or Decimal(1)
    path = f"/v1/accounts/{holding.ledger_account_id}/balance"
    body = await fleet.get("ledger", path, acting, {"as_of": end_of_day(as_of).isoformat()})
    assert body is not None
    return Decimal(body["posted"])


async def value_portfolio(
    session: AsyncSession,
    fleet: Fleet,
    acting: Principal,
    portfolio: Portfolio,
    holdings: list[Holding],
    as_of: date,
    deadline: float,
    known: Mapping[uuid.UUID, Decimal] | None = None,
) -> Valuation:
    """Quantities from the ledger (or `known`, holding id → quantity, from the holdings read
    model) and prices from the services, fetched all at once.

    A silent pricing service leaves its holdings priced at their last known price (stale); a
    silent ledger is a 503, since without quantities there is nothing honest to show.
    """
    known = known or {}
    calls: list[Awaitable[Any]] = [
        _known(known[h.id]) if h.id in known else _quantity(fleet, acting, h, as_of)
        for h in holdings
    ]
    calls += [price_of(fleet, acting, h, as_of) for h in holdings]
    outcomes = await gather_within(calls, deadline)
    quantities, prices = outcomes[: len(holdings)], outcomes[len(holdings) :]
    silent_ledger = [q.failure for q in quantities if q.failure]
    if silent_ledger:
        raise ProblemError(
            503, "ledger-unavailable", f"balances could not be read: {silent_ledger[0]}",
            headers={"Retry-After": "5"},
        )  # fmt: skip
    lines: list[HoldingValue] = []
    stale_services: set[str] = set()
    total = Decimal(0)
    for holding, quantity, priced in zip(holdings, quantities, prices, strict=True):
        line = await _line(session, portfolio, holding, quantity.value, priced, as_of)
        if holding.id in known:
            line = line.model_copy(update={"quantity_source": "read_model"})
        if line.stale:
            stale_services.add(SERVICE_OF_KIND.get(holding.kind, holding.kind))
        if line.in_total and line.value is not None:
            total += line.value
        lines.append(line)
    return Valuation(
        portfolio_id=portfolio.id, as_of=as_of, base_currency=portfolio.base_currency,
        total=total, complete=all(x.in_total and not x.stale for x in lines),
        stale_services=sorted(stale_services), holdings=lines,
    )  # fmt: skip


async def _line(
    session: AsyncSession, portfolio: Portfolio, holding: Holding, quantity: Decimal,
    priced: Outcome, as_of: date,
) -> HoldingValue:  # fmt: skip
    price: Price | None = priced.value
    note = None
    stale = priced.failure is not None
    if price is not None:
        await repository.record_mark(
            session, portfolio.tenant_id, holding.kind, holding.reference, as_of,
            price.price, price.currency, price.source,
        )  # fmt: skip
    else:
        mark = await repository.last_mark(
            session, portfolio.tenant_id, holding.kind, holding.reference, as_of
        )
        note = f"price unavailable ({priced.failure})"
        if mark is not None:
            price = Price(mark.price, mark.currency, f"last_known:{mark.source}", mark.price_date)
            note += f"; last known price of {mark.price_date} used"
        else:
            note += "; no earlier price known, left out of the total"
    value = None if price is None else position_value(quantity, price.price)
    in_base = price is not None and price.currency == portfolio.base_currency
    if price is not None and not in_base:
        note = (note + "; " if note else "") + (
            f"in {price.currency}, not the base {portfolio.base_currency}: no FX rate in the "
            "fleet, left out of the total"
        )
    return HoldingValue(
        holding_id=holding.id, kind=holding.kind, reference=holding.reference,
        asset_class=ASSET_CLASSES[holding.kind], quantity=quantity,
        currency=None if price is None else price.currency,
        price=None if price is None else price.price, value=value,
        price_source="none" if price is None else price.source,
        price_date=None if price is None else price.price_date, stale=stale,
        in_total=value is not None and in_base, note=note,
    )  # fmt: skip
