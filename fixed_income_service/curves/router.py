"""Curves API: bootstrap from deposits and par bonds (admin), evaluate at dates (everyone)."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Query

from fixed_income_service.access import may_read_bonds, may_write_curves
from fixed_income_service.curves import service
from fixed_income_service.curves.schemas import CurveCreate, CurvePublic, CurveValues
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.problems import problem
from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep, driver_connection

router = APIRouter(prefix="/curves", tags=["curves"])


@router.post("", response_model=CurvePublic, status_code=201)
async def create_curve(
    body: CurveCreate, principal: CurrentPrincipal, session: SessionDep
) -> CurvePublic:
    """Bootstrap a discount curve (log-linear discount factors or linear zero rates) from
    deposits, OIS, swaps and par bonds, or fit Nelson-Siegel / Svensson to bond prices."""
    may_write_curves(principal)
    try:
        return await service.create_curve(await driver_connection(session), body)
    except Refusal as refusal:
        raise problem(refusal) from refusal


@router.get("/{curve_id}", response_model=CurvePublic)
async def get_curve(
    curve_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> CurvePublic:
    """The curve's instruments and pillars."""
    may_read_bonds(principal)
    try:
        return service.public(await service.load_curve(await driver_connection(session), curve_id))
    except Refusal as refusal:
        raise problem(refusal) from refusal


@router.get("/{curve_id}/{quantity}", response_model=CurveValues)
async def curve_values(
    curve_id: uuid.UUID,
    quantity: Literal["discount", "zero", "forward"],
    principal: CurrentPrincipal,
    session: SessionDep,
    dates: str = Query(max_length=12_000, description="comma-separated ISO dates"),
) -> CurveValues:
    """Discount factors, continuously compounded zero rates or instantaneous forwards."""
    may_read_bonds(principal)
    try:
        row = await service.load_curve(await driver_connection(session), curve_id)
        return service.values(row, quantity, service.parse_dates(dates))
    except Refusal as refusal:
        raise problem(refusal) from refusal
