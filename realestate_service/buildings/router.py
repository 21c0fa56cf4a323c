"""Buildings, appraisals, valuation and units API."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.pagination import Cursor, Limit, page
from realestate_service.access import may_read, may_write
from realestate_service.buildings import service
from realestate_service.buildings.models import Building, Unit
from realestate_service.buildings.schemas import (
    AppraisalCreate,
    AppraisalPublic,
    BuildingChange,
    BuildingCreate,
    BuildingPage,
    BuildingPublic,
    UnitChange,
    UnitCreate,
    UnitPage,
    UnitPublic,
    UnitsBulkCreate,
    Valuation,
)

router = APIRouter(tags=["buildings"])


def today() -> date:
    return datetime.now(UTC).date()


@router.post("/buildings", response_model=BuildingPublic, status_code=201)
async def create_building(
    body: BuildingCreate, principal: CurrentPrincipal, session: SessionDep
) -> BuildingPublic:
    """Add a building (purchase price and date are its valuation until an appraisal)."""
    tenant = may_write(principal)
    return service.building_public(await service.create_building(session, tenant, body))


@router.get("/buildings", response_model=BuildingPage)
async def list_buildings(
    principal: CurrentPrincipal, session: SessionDep, cursor: Cursor = None, limit: Limit = 100
) -> BuildingPage:
    """The organization's buildings, oldest first."""
    tenant = may_read(principal)
    query = select(Building).where(Building.tenant_id == tenant)
    rows, next_cursor = await page(session, query, Building.id, cursor, limit)
    return BuildingPage(
        items=[service.building_public(b) for (b,) in rows], next_cursor=next_cursor
    )


@router.get("/buildings/{building_id}", response_model=BuildingPublic)
async def get_building(
    building_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> BuildingPublic:
    tenant = may_read(principal)
    return service.building_public(await service.building_of(session, tenant, building_id))


@router.patch("/buildings/{building_id}", response_model=BuildingPublic)
async def change_building(
    building_id: uuid.UUID, body: BuildingChange, principal: CurrentPrincipal, session: SessionDep
) -> BuildingPublic:
    tenant = may_write(principal)
    building = await service.change_building(session, tenant, building_id, body)
    return service.building_public(building)


@router.delete("/buildings/{building_id}", status_code=204)
async def archive_building(
    building_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Archive a building without active leases (its history stays)."""
    tenant = may_write(principal)
    await service.archive_building(session, tenant, building_id)
    return Response(status_code=204)


@router.post("/buildings/{building_id}/appraisals", response_model=AppraisalPublic, status_code=201)
async def add_appraisal(
    building_id: uuid.UUID, body: AppraisalCreate, principal: CurrentPrincipal, session: SessionDep
) -> AppraisalPublic:
    tenant = may_write(principal)
    a = await service.add_appraisal(session, tenant, building_id, body)
    return AppraisalPublic(id=a.id, building_id=a.building_id, value=a.value, valued_on=a.valued_on)


@router.get("/buildings/{building_id}/valuation", response_model=Valuation)
async def building_valuation(
    building_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    as_of: date | None = None,
) -> Valuation:
    """The latest appraisal on or before `as_of` (default today), else the purchase price."""
    tenant = may_read(principal)
    return await service.valuation(session, tenant, building_id, as_of or today())


@router.post("/buildings/{building_id}/units", response_model=UnitPublic, status_code=201)
async def add_unit(
    building_id: uuid.UUID, body: UnitCreate, principal: CurrentPrincipal, session: SessionDep
) -> UnitPublic:
    tenant = may_write(principal)
    [unit] = await service.add_units(session, tenant, building_id, [body])
    return service.unit_public(unit)


@router.post(
    "/buildings/{building_id}/units/bulk", response_model=list[UnitPublic], status_code=201
)
async def add_units(
    building_id: uuid.UUID, body: UnitsBulkCreate, principal: CurrentPrincipal, session: SessionDep
) -> list[UnitPublic]:
    """Add up to 500 units at once, all or none."""
    tenant = may_write(principal)
    units = await service.add_units(session, tenant, building_id, body.units)
    return [service.unit_public(u) for u in units]


@router.get("/units", response_model=UnitPage)
async def list_units(
    principal: CurrentPrincipal,
    session: SessionDep,
    occupancy: Annotated[Literal["occupied", "vacant"] | None, Query()] = None,
    as_of: date | None = None,
    building_id: uuid.UUID | None = None,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> UnitPage:
    """Units, each occupied exactly when a lease covers `as_of` (default today)."""
    tenant = may_read(principal)
    query = service.units_on(tenant, as_of or today(), occupancy, building_id)
    rows, next_cursor = await page(session, query, Unit.id, cursor, limit)
    items = [service.unit_public(u, lease_id, known=True) for u, lease_id in rows]
    return UnitPage(items=items, next_cursor=next_cursor)


@router.get("/units/{unit_id}", response_model=UnitPublic)
async def get_unit(
    unit_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> UnitPublic:
    tenant = may_read(principal)
    return service.unit_public(await service.unit_of(session, tenant, unit_id))


@router.patch("/units/{unit_id}", response_model=UnitPublic)
async def change_unit(
    unit_id: uuid.UUID, body: UnitChange, principal: CurrentPrincipal, session: SessionDep
) -> UnitPublic:
    tenant = may_write(principal)
    return service.unit_public(await service.change_unit(session, tenant, unit_id, body))


@router.delete("/units/{unit_id}", status_code=204)
async def archive_unit(
    unit_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Archive a unit without an active lease (it leaves the unit lists; its history stays)."""
    tenant = may_write(principal)
    await service.archive_unit(session, tenant, unit_id)
    return Response(status_code=204)
