"""Marks (admin) and the valuation endpoint the gateway calls."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Query, Request

from fixed_income_service.access import may_read_trades, may_write_bonds
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.problems import problem
from fixed_income_service.valuation import service
from fixed_income_service.valuation.schemas import MarkCreate, MarkPublic, Valuation
from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep, driver_connection

router = APIRouter(prefix="/bonds/{bond_id}", tags=["valuation"])


@router.post("/marks", response_model=MarkPublic, status_code=201)
async def mark_bond(
    bond_id: uuid.UUID, body: MarkCreate, principal: CurrentPrincipal, session: SessionDep
) -> MarkPublic:
    """Record an evaluated clean price for a date (admin; the same date again corrects it)."""
    may_write_bonds(principal)
    try:
        return await service.record_mark(await driver_connection(session), bond_id, body)
    except Refusal as refusal:
        raise problem(refusal) from refusal


@router.get("/valuation", response_model=Valuation)
async def bond_valuation(
    bond_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
    as_of: date | None = Query(default=None, description="today (UTC) if omitted"),
) -> Valuation:
    """Clean, dirty and per-unit-of-face prices from the latest trade or mark on or before
    `as_of`."""
    tenant = may_read_trades(principal)
    day = as_of or request.app.state.today()
    try:
        return await service.value_bond(await driver_connection(session), tenant, bond_id, day)
    except Refusal as refusal:
        raise problem(refusal) from refusal
