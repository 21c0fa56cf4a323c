"""Buildings and units: CRUD, bulk units, appraisals, valuation, occupancy on a date."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.ids import new_id
from fleetkit.problems import ProblemError, not_found
from realestate_service.buildings.models import Appraisal, Building, Unit
from realestate_service.buildings.schemas import (
    AppraisalCreate,
    BuildingChange,
    BuildingCreate,
    BuildingPublic,
    UnitChange,
    UnitCreate,
    UnitPublic,
    Valuation,
)
from realestate_service.leases.models import Lease
from realestate_service.wire import dollars

LIVE_STATUSES = ("active", "ended", "terminated", "renewed")


def building_public(b: Building) -> BuildingPublic:
    return BuildingPublic(
        id=b.id,
        name=b.name,
        address=b.address,
        currency=b.currency,
        purchase_price=b.purchase_price,
        purchase_date=b.purchase_date,
        archived=b.archived_at is not None,
    )


def unit_public(u: Unit, lease_id: uuid.UUID | None = None, known: bool = False) -> UnitPublic:
    return UnitPublic(
        id=u.id,
        building_id=u.building_id,
        label=u.label,
        bedrooms=u.bedrooms,
        market_rent=u.market_rent,
        archived=u.archived_at is not None,
        occupied=(lease_id is not None) if known else None,
        lease_id=lease_id,
    )


async def building_of(session: AsyncSession, tenant_id: str, building_id: uuid.UUID) -> Building:
    """The tenant's building; a 404 problem otherwise."""
    query = select(Building).where(Building.id == building_id, Building.tenant_id == tenant_id)
    building = (await session.execute(query)).scalar_one_or_none()
    if building is None:
        raise not_found("building")
    return building


async def unit_of(session: AsyncSession, tenant_id: str, unit_id: uuid.UUID) -> Unit:
    query = select(Unit).where(Unit.id == unit_id, Unit.tenant_id == tenant_id)
    unit = (await session.execute(query)).scalar_one_or_none()
    if unit is None:
        raise not_found("unit")
    return unit


async def create_building(session: AsyncSession, tenant_id: str, body: BuildingCreate) -> Building:
    building = Building(
        id=new_id(),
        tenant_id=tenant_id,
        name=body.name,
        address=body.address,
        currency=body.currency,
        purchase_price=None if body.purchase_price is None else dollars(body.purchase_price),
        purchase_date=body.purchase_date,
    )
    session.add(building)
    await session.flush()
    return building


async def change_building(
    session: AsyncSession, tenant_id: str, building_id: uuid.UUID, body: BuildingChange
) -> Building:
    building = await building_of(session, tenant_id, building_id)
    if body.name is not None:
        building.name = body.name
    if body.address is not None:
        building.address = body.address
    if body.purchase_price is not None:
        building.purchase_price = dollars(body.purchase_price)
    if body.purchase_date is not None:
        building.purchase_date = body.purchase_date
    await session.flush()
    return building


async def archive_building(session: AsyncSession, tenant_id: str, building_id: uuid.UUID) -> None:
    """Archive (never delete: its ledger stays); refused while a unit has a live lease."""
    building = await building_of(session, tenant_id, building_id)
    live = await session.execute(
        select(Lease.id)
        .join(Unit, Unit.id == Lease.unit_id)
        .where(Unit.building_id == building.id, Lease.status == "active")
        .limit(1)
    )
    if live.first() is not None:
        raise ProblemError(409, "building-has-active-leases", "end its leases first")
    building.archived_at = datetime.now(UTC)


async def add_appraisal(
    session: AsyncSession, tenant_id: str, building_id: uuid.UUID, body: AppraisalCreate
) -> Appraisal:
    building = await building_of(session, tenant_id, building_id)
    appraisal = Appraisal(
        id=new_id(),
        tenant_id=tenant_id,
        building_id=building.id,
        value=dollars(body.value),
        valued_on=body.valued_on,
    )
    session.add(appraisal)
    await session.flush()
    return appraisal


async def valuation(
    session: AsyncSession, tenant_id: str, building_id: uuid.UUID, as_of: date
) -> Valuation:
    """The latest appraisal on or before `as_of`, else the purchase price (CONTRACTS.md)."""
    building = await building_of(session, tenant_id, building_id)
    query = (
        select(Appraisal)
        .where(Appraisal.building_id == building.id, Appraisal.valued_on <= as_of)
        .order_by(Appraisal.valued_on.desc(), Appraisal.created_at.desc())
        .limit(1)
    )
    appraisal = (await session.execute(query)).scalar_one_or_none()
    if appraisal is not None:
        return Valuation(
            building_id=building.id,
            currency=building.currency,
            value=appraisal.value,
            method="appraisal",
            as_of=as_of,
            valued_on=appraisal.valued_on,
        )
    if building.purchase_price is None or building.purchase_date is None:
        raise ProblemError(
            422, "no-valuation", "the building has no appraisal and no purchase price and date"
        )
    if building.purchase_date > as_of:
        raise ProblemError(422, "no-valuation", "the building was bought after as_of")
    return Valuation(
        building_id=building.id,
        currency=building.currency,
        value=building.purchase_price,
        method="purchase_price",
        as_of=as_of,
        valued_on=building.purchase_date,
    )


async def add_units(
    session: AsyncSession, tenant_id: str, building_id: uuid.UUID, bodies: list[UnitCreate]
) -> list[Unit]:
    """Add units to a building, all or none; a label used twice is a 409 problem."""
    building = await building_of(session, tenant_id, building_id)
    labels = [b.label for b in bodies]
    if len(set(labels)) != len(labels):
        raise ProblemError(409, "duplicate-unit-label", "a label appears twice in the request")
    units = [
        Unit(
            id=new_id(),
            tenant_id=tenant_id,
            building_id=building.id,
            label=b.label,
            bedrooms=b.bedrooms,
            market_rent=None if b.market_rent is None else dollars(b.market_rent),
        )
        for b in bodies
    ]
    session.add_all(units)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise ProblemError(409, "duplicate-unit-label", "the building has such a unit") from exc
    return units


async def change_unit(
    session: AsyncSession, tenant_id: str, unit_id: uuid.UUID, body: UnitChange
) -> Unit:
    unit = await unit_of(session, tenant_id, unit_id)
    if body.label is not None:
        unit.label = body.label
    if body.bedrooms is not None:
        unit.bedrooms = body.bedrooms
    if body.market_rent is not None:
        unit.market_rent = dollars(body.market_rent)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise ProblemError(409, "duplicate-unit-label", "the building has such a unit") from exc
    return unit


async def archive_unit(session: AsyncSession, tenant_id: str, unit_id: uuid.UUID) -> None:
    """Archive a unit (its history stays); refused while an active lease holds it."""
    unit = await unit_of(session, tenant_id, unit_id)
    live = await session.execute(
        select(Lease.id).where(Lease.unit_id == unit.id, Lease.status == "active").limit(1)
    )
    if live.first() is not None:
        raise ProblemError(409, "unit-has-active-lease", "end its lease first")
    unit.archived_at = datetime.now(UTC)


def covers(day: date) -> object:
    """SQL: the lease occupies its unit on `day` (not a draft, inside its term)."""
    last = Lease.moved_out_on
    return and_(
        Lease.status.in_(LIVE_STATUSES),
        Lease.start_on <= day,
        or_(
            and_(last.is_not(None), last >= day),
            and_(last.is_(None), or_(Lease.end_on.is_(None), Lease.end_on >= day)),
        ),
    )


def units_on(
    tenant_id: str, day: date, occupancy: str | None, building_id: uuid.UUID | None
) -> Select[Unit, uuid.UUID]:
    """The query of the tenant's live units with the lease occupying each on `day`, filtered
    by occupancy if asked."""
    query = (
        select(Unit, Lease.id)
        .outerjoin(Lease, and_(Lease.unit_id == Unit.id, covers(day)))  # type: ignore[arg-type]
        .where(Unit.tenant_id == tenant_id, Unit.archived_at.is_(None))
    )
    if building_id is not None:
        query = query.where(Unit.building_id == building_id)
    if occupancy == "occupied":
        query = query.where(Lease.id.is_not(None))
    elif occupancy == "vacant":
        query = query.where(Lease.id.is_(None))
    return query
