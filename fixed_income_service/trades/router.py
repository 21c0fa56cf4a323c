"""Bond trades API: book (settles at once in the ledger), read, list."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Request, Response

from fixed_income_service.access import may_read_trades, may_trade
from fixed_income_service.trades import repository, service
from fixed_income_service.trades.schemas import TradeCreate, TradePage, TradePublic
from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep, driver_connection
from fleetkit.pagination import Cursor, Limit, decode_cursor, encode_cursor
from fleetkit.problems import ProblemError, not_found

router = APIRouter(prefix="/trades", tags=["trades"])


@router.post(
    "",
    response_model=TradePublic,
    status_code=201,
    responses={200: {"description": "the same client_trade_id and body: the original"}},
)
async def book_trade(
    body: TradeCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
    response: Response,
) -> TradePublic:
    """Buy or sell a bond: cash at the dirty price one way, face the other, in one ledger
    transaction."""
    tenant = may_trade(principal)
    state = request.app.state
    trade, created = await service.book_trade(
        session, await driver_connection(session), state.books, tenant, body, state.today()
    )
    response.status_code = 201 if created else 200
    return trade


@router.get("", response_model=TradePage)
async def list_trades(
    principal: CurrentPrincipal,
    session: SessionDep,
    bond_id: uuid.UUID | None = Query(default=None),
    cursor: Cursor = None,
    limit: Limit = 100,
) -> TradePage:
    """The tenant's trades, oldest first."""
    tenant = may_read_trades(principal)
    after = decode_cursor(cursor, "")
    try:
        after_id = uuid.UUID(after) if after else None
    except ValueError as exc:
        raise ProblemError(400, "invalid-cursor", "cursor is not one this API gave out") from exc
    conn = await driver_connection(session)
    rows = await repository.list_trades(conn, tenant, bond_id, after_id, limit)
    page = [service.public(row) for row in rows[:limit]]
    next_cursor = encode_cursor(str(page[-1].id)) if len(rows) > limit else None
    return TradePage(items=page, next_cursor=next_cursor)


@router.get("/{trade_id}", response_model=TradePublic)
async def get_trade(
    trade_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> TradePublic:
    """One of the tenant's trades (another tenant's is 404)."""
    tenant = may_read_trades(principal)
    row = await repository.get_trade(await driver_connection(session), tenant, trade_id)
    if row is None:
        raise not_found("trade")
    return service.public(row)
