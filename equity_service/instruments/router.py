"""Instruments API (reference data: every caller may read, nobody changes it over the API)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from equity_service.access import may_read_reference
from equity_service.instruments import repository
from equity_service.instruments.schemas import InstrumentPage, InstrumentPublic
from equity_service.instruments.service import public
from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.pagination import Cursor, Limit, decode_cursor, encode_cursor
from fleetkit.problems import not_found

router = APIRouter(prefix="/instruments", tags=["instruments"])


@router.get("", response_model=InstrumentPage)
async def list_instruments(
    principal: CurrentPrincipal, session: SessionDep, cursor: Cursor = None, limit: Limit = 100
) -> InstrumentPage:
    """Listed instruments by symbol."""
    may_read_reference(principal)
    rows = await repository.page(session, decode_cursor(cursor, ""), limit)
    items = [public(r) for r in rows[:limit]]
    next_cursor = encode_cursor(items[-1].symbol) if len(rows) > limit else None
    return InstrumentPage(items=items, next_cursor=next_cursor)


@router.get("/{instrument_id}", response_model=InstrumentPublic)
async def get_instrument(
    instrument_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> InstrumentPublic:
    may_read_reference(principal)
    instrument = await repository.by_id(session, instrument_id)
    if instrument is None:
        raise not_found("instrument")
    return public(instrument)
