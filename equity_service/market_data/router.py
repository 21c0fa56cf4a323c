"""Market data API: the latest quote of a symbol, an instrument's daily bars."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Query

from equity_service.access import may_read_reference
from equity_service.instruments import repository as instruments
from equity_service.market_data import repository
from equity_service.market_data.schemas import BarPage, BarPublic, QuotePublic
from equity_service.market_data.service import quote_public
from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.pagination import Cursor, Limit, decode_cursor, encode_cursor
from fleetkit.problems import ProblemError, not_found

router = APIRouter(tags=["market data"])


@router.get("/quotes/{symbol}", response_model=QuotePublic)
async def get_quote(symbol: str, principal: CurrentPrincipal, session: SessionDep) -> QuotePublic:
    """The latest bid and ask of `symbol`."""
    may_read_reference(principal)
    instrument = await instruments.by_symbol(session, symbol)
    record = None if instrument is None else await repository.latest_quote(session, instrument.id)
    if instrument is None or record is None:
        raise not_found("quote")
    return quote_public(instrument, record)


def _day_of(cursor: str) -> date | None:
    try:
        return date.fromisoformat(cursor) if cursor else None
    except ValueError as exc:
        raise ProblemError(400, "invalid-cursor", "cursor is not one this API gave out") from exc


@router.get("/instruments/{instrument_id}/bars", response_model=BarPage)
async def list_bars(
    instrument_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    start: date | None = Query(default=None, alias="from"),
    end: date | None = Query(default=None, alias="to"),
    cursor: Cursor = None,
    limit: Limit = 100,
) -> BarPage:
    """Daily bars in [from, to], oldest first."""
    may_read_reference(principal)
    if await instruments.by_id(session, instrument_id) is None:
        raise not_found("instrument")
    after = _day_of(decode_cursor(cursor, ""))
    rows = await repository.bars_between(session, instrument_id, start, end, after, limit)
    items = [
        BarPublic(day=b.day, open=b.open, high=b.high, low=b.low, close=b.close, volume=b.volume)
        for b in rows[:limit]
    ]
    next_cursor = encode_cursor(items[-1].day.isoformat()) if len(rows) > limit else None
    return BarPage(items=items, next_cursor=next_cursor)
