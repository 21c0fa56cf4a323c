"""Bonds API: reference data (admin writes, everyone reads), cash-flow schedules, calendars."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Query

from fixed_income_service.access import may_read_bonds, may_write_bonds
from fixed_income_service.bonds import repository, service
from fixed_income_service.bonds.schemas import BondCreate, BondPage, BondPublic, CashflowSchedule
from fixed_income_service.curves.service import curve_of, load_curve
from fixed_income_service.domain.calendars import CALENDARS
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.problems import problem
from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep, driver_connection
from fleetkit.pagination import Cursor, Limit, decode_cursor, encode_cursor
from fleetkit.problems import ProblemError

router = APIRouter(tags=["bonds"])


@router.post("/bonds", response_model=BondPublic, status_code=201)
async def create_bond(
    body: BondCreate, principal: CurrentPrincipal, session: SessionDep
) -> BondPublic:
    """Add a bond to the shared reference data (admin only)."""
    may_write_bonds(principal)
    try:
        return await service.create_bond(await driver_connection(session), body)
    except Refusal as refusal:
        raise problem(refusal) from refusal


@router.get("/bonds", response_model=BondPage)
async def list_bonds(
    principal: CurrentPrincipal, session: SessionDep, cursor: Cursor = None, limit: Limit = 100
) -> BondPage:
    """The bonds, by id (creation order)."""
    may_read_bonds(principal)
    after = decode_cursor(cursor, "")
    try:
        after_id = uuid.UUID(after) if after else None
    except ValueError as exc:
        raise ProblemError(400, "invalid-cursor", "cursor is not one this API gave out") from exc
    rows = await repository.list_bonds(await driver_connection(session), after_id, limit)
    page = [service.public(row) for row in rows[:limit]]
    next_cursor = encode_cursor(str(page[-1].id)) if len(rows) > limit else None
    return BondPage(items=page, next_cursor=next_cursor)


@router.get("/bonds/{bond_id}", response_model=BondPublic)
async def get_bond(
    bond_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> BondPublic:
    """One bond with every convention."""
    may_read_bonds(principal)
    try:
        return await service.get_bond(await driver_connection(session), bond_id)
    except Refusal as refusal:
        raise problem(refusal) from refusal


@router.get("/bonds/{bond_id}/cashflows", response_model=CashflowSchedule)
async def bond_cashflows(
    bond_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    settlement_date: date | None = Query(default=None, description="only flows paid after it"),
    curve_id: uuid.UUID | None = Query(default=None, description="projects an FRN's coupons"),
) -> CashflowSchedule:
    """The bond's coupon and principal payments per 100 original face (an FRN's projected on
    the curve `curve_id`)."""
    may_read_bonds(principal)
    try:
        conn = await driver_connection(session)
        bond = await service.get_bond(conn, bond_id)
        curve = curve_of(await load_curve(conn, curve_id)) if curve_id else None
        return service.cashflow_schedule(bond, settlement_date, curve)
    except Refusal as refusal:
        raise problem(refusal) from refusal


@router.get("/calendars")
async def list_calendars(principal: CurrentPrincipal) -> list[dict[str, str]]:
    """The holiday calendars a bond can name, and where their holidays come from."""
    may_read_bonds(principal)
    return [{"name": name, "source": source} for name, source in CALENDARS.items()]
