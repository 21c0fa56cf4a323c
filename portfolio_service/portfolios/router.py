"""Public portfolio API: CRUD, holdings and valuation as of a date."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from fleetkit.db import SessionDep
from fleetkit.pagination import Cursor, Limit, decode_cursor, encode_cursor
from fleetkit.policy import Role
from fleetkit.problems import ProblemError
from portfolio_service.holdings.repository import current_quantities
from portfolio_service.identity.authentication import CurrentCaller
from portfolio_service.identity.tokens import require_scope
from portfolio_service.portfolios import repository, service
from portfolio_service.portfolios.access import portfolio_for, tenant_of
from portfolio_service.portfolios.schemas import (
    HoldingValue,
    PortfolioCreate,
    PortfolioPage,
    PortfolioPublic,
    PortfolioUpdate,
    Valuation,
)
from portfolio_service.valuation.downstream import Fleet
from portfolio_service.valuation.service import value_portfolio
from portfolio_service.valuation.stream import portfolio_events

router = APIRouter(prefix="/api/v1/portfolios", tags=["portfolios"])
AsOf = Query(default=None, description="a business date (default: today, UTC)")


def fleet_of(request: Request) -> Fleet:
    """The downstream clients and token signer of this gateway."""
    state = request.app.state
    return Fleet(state.downstream, state.token_minter)


@router.post("", response_model=PortfolioPublic, status_code=201)
async def create_portfolio(
    body: PortfolioCreate, caller: CurrentCaller, session: SessionDep, request: Request
) -> PortfolioPublic:
    """A portfolio owned by the caller, grouping ledger accounts and property holdings."""
    require_scope(caller, "write")
    return await service.create_portfolio(session, fleet_of(request), caller.principal, body)


@router.get("", response_model=PortfolioPage)
async def list_portfolios(
    caller: CurrentCaller, session: SessionDep, cursor: Cursor = None, limit: Limit = 50
) -> PortfolioPage:
    """The tenant's portfolios (an investor sees their own)."""
    principal = caller.principal
    tenant = tenant_of(principal)
    only_own = principal.roles <= {Role.INVESTOR.value}
    after_text = decode_cursor(cursor, "")
    try:
        after = uuid.UUID(after_text) if after_text else None
    except ValueError as exc:
        raise ProblemError(400, "invalid-cursor", "cursor is not one this API gave out") from exc
    rows = await repository.page(
        session, tenant, after, limit, principal.subject if only_own else None
    )
    rows = rows[: limit + 1]
    holdings = await repository.holdings_of(session, [p.id for p in rows[:limit]])
    items = [
        service.public(p, [h for h in holdings if h.portfolio_id == p.id]) for p in rows[:limit]
    ]
    next_cursor = encode_cursor(str(rows[limit - 1].id)) if len(rows) > limit else None
    return PortfolioPage(items=items, next_cursor=next_cursor)


@router.get("/{portfolio_id}", response_model=PortfolioPublic)
async def get_portfolio(
    portfolio_id: uuid.UUID, caller: CurrentCaller, session: SessionDep
) -> PortfolioPublic:
    """The portfolio and its holdings; another tenant's is 404."""
    return await service.read_portfolio(session, caller.principal, portfolio_id)


@router.patch("/{portfolio_id}", response_model=PortfolioPublic)
async def update_portfolio(
    portfolio_id: uuid.UUID,
    body: PortfolioUpdate,
    caller: CurrentCaller,
    session: SessionDep,
    request: Request,
) -> PortfolioPublic:
    """Rename it, change its base currency, or replace its holdings."""
    require_scope(caller, "write")
    return await service.update_portfolio(
        session, fleet_of(request), caller.principal, portfolio_id, body, datetime.now(UTC)
    )


@router.delete("/{portfolio_id}", status_code=204)
async def delete_portfolio(
    portfolio_id: uuid.UUID, caller: CurrentCaller, session: SessionDep
) -> Response:
    """Archive the portfolio (404 afterwards)."""
    require_scope(caller, "write")
    await service.delete_portfolio(session, caller.principal, portfolio_id, datetime.now(UTC))
    return Response(status_code=204)


async def valuation_for(
    request: Request, caller: CurrentCaller, session: SessionDep, portfolio_id: uuid.UUID,
    as_of: date | None,
) -> Valuation:  # fmt: skip
    principal = caller.principal
    portfolio = await portfolio_for(session, principal, portfolio_id, "read")
    holdings = await repository.holdings_of(session, [portfolio.id])
    deadline = request.app.state.settings.valuation_deadline_seconds
    day = as_of or datetime.now(UTC).date()
    return await value_portfolio(
        session, fleet_of(request), principal, portfolio, holdings, day, deadline
    )


@router.get("/{portfolio_id}/valuation", response_model=Valuation)
async def get_valuation(
    portfolio_id: uuid.UUID,
    caller: CurrentCaller,
    session: SessionDep,
    request: Request,
    as_of: date | None = AsOf,
) -> Valuation:
    """Value on `as_of`: ledger quantities x service prices; stale holdings say so."""
    return await valuation_for(request, caller, session, portfolio_id, as_of)


@router.get("/{portfolio_id}/holdings", response_model=list[HoldingValue])
@router.get("/{portfolio_id}/constituents", response_model=list[HoldingValue])
async def get_holdings(
    portfolio_id: uuid.UUID,
    caller: CurrentCaller,
    session: SessionDep,
    request: Request,
    as_of: date | None = AsOf,
) -> list[HoldingValue]:
    """Each holding's quantity, price and value on `as_of` (`constituents`: the seed's name).
    Today's quantities come from the holdings read model kept from the bus where it knows the
    account (`quantity_source`); a past day's from the ledger's balance as of that day."""
    today = datetime.now(UTC).date()
    if as_of is not None and as_of != today:
        return (await valuation_for(request, caller, session, portfolio_id, as_of)).holdings
    principal = caller.principal
    portfolio = await portfolio_for(session, principal, portfolio_id, "read")
    holdings = await repository.holdings_of(session, [portfolio.id])
    known = await current_quantities(session, portfolio.tenant_id, holdings)
    deadline = request.app.state.settings.valuation_deadline_seconds
    valuation = await value_portfolio(
        session, fleet_of(request), principal, portfolio, holdings, today, deadline, known
    )
    return valuation.holdings


@router.get("/{portfolio_id}/stream", response_class=StreamingResponse)
async def stream(
    portfolio_id: uuid.UUID,
    caller: CurrentCaller,
    session: SessionDep,
    request: Request,
    interval: float = Query(default=30, ge=1, le=3600, description="seconds between valuations"),
    max_events: int | None = Query(default=None, ge=1, description="end after this many events"),
) -> StreamingResponse:
    """Server-sent events: `valuation` now and every `interval` s, `price` on each quote."""
    portfolio = await portfolio_for(session, caller.principal, portfolio_id, "read")
    events = portfolio_events(
        request.app.state, fleet_of(request), caller.principal, portfolio,
        interval=interval, max_events=max_events,
    )  # fmt: skip
    return StreamingResponse(
        events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )
