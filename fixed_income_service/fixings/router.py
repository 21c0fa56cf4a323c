"""Index fixings API: realised overnight rates (admin writes, everyone reads)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Path, Query

from fixed_income_service.access import may_read_bonds, may_write_fixings
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.fixings import service
from fixed_income_service.fixings.schemas import INDEX_NAME, FixingsCreate, FixingsPublic
from fixed_income_service.problems import problem
from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep, driver_connection

router = APIRouter(prefix="/indices/{index}/fixings", tags=["fixings"])
IndexName = Path(pattern=INDEX_NAME, description="an overnight index, e.g. SOFR")


@router.post("", response_model=FixingsPublic)
async def record_fixings(
    body: FixingsCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    index: str = IndexName,
) -> FixingsPublic:
    """Store realised fixings (admin). Idempotent: a stored fixing may be sent again with the
    same rate; another rate for it is `fixing-conflict` and nothing is stored."""
    may_write_fixings(principal)
    try:
        return await service.record_fixings(await driver_connection(session), index, body)
    except Refusal as refusal:
        raise problem(refusal) from refusal


@router.get("", response_model=FixingsPublic)
async def read_fixings(
    principal: CurrentPrincipal,
    session: SessionDep,
    index: str = IndexName,
    first: date = Query(alias="from"),
    last: date = Query(alias="to"),
) -> FixingsPublic:
    """The index's fixings dated `from` to `to` (inclusive), in date order."""
    may_read_bonds(principal)
    try:
        return await service.read_fixings(await driver_connection(session), index, first, last)
    except Refusal as refusal:
        raise problem(refusal) from refusal
