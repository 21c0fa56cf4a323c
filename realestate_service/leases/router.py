"""Renters (`/v1/tenants`: the people renting) and leases API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter
from sqlalchemy import select

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.pagination import Cursor, Limit, page
from realestate_service.access import may_read, may_write
from realestate_service.leases import service
from realestate_service.leases.models import Lease, Renter
from realestate_service.leases.schemas import (
    LeaseCreate,
    LeaseEnd,
    LeasePage,
    LeasePublic,
    LeaseRenewal,
    LeaseTermination,
    RenterChange,
    RenterCreate,
    RenterPage,
    RenterPublic,
    RentStepIn,
)

router = APIRouter(tags=["leases"])


def _renter(r: Renter) -> RenterPublic:
    return RenterPublic(id=r.id, name=r.name, email=r.email, phone=r.phone)


@router.post("/tenants", response_model=RenterPublic, status_code=201)
async def create_renter(
    body: RenterCreate, principal: CurrentPrincipal, session: SessionDep
) -> RenterPublic:
    """Add a tenant (a person renting; the organization is the token's tenant)."""
    tenant = may_write(principal)
    return _renter(await service.create_renter(session, tenant, body))


@router.get("/tenants", response_model=RenterPage)
async def list_renters(
    principal: CurrentPrincipal, session: SessionDep, cursor: Cursor = None, limit: Limit = 100
) -> RenterPage:
    tenant = may_read(principal)
    query = select(Renter).where(Renter.tenant_id == tenant)
    rows, next_cursor = await page(session, query, Renter.id, cursor, limit)
    return RenterPage(items=[_renter(r) for (r,) in rows], next_cursor=next_cursor)


@router.get("/tenants/{renter_id}", response_model=RenterPublic)
async def get_renter(
    renter_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> RenterPublic:
    tenant = may_read(principal)
    return _renter(await service.renter_of(session, tenant, renter_id))


@router.patch("/tenants/{renter_id}", response_model=RenterPublic)
async def change_renter(
    renter_id: uuid.UUID, body: RenterChange, principal: CurrentPrincipal, session: SessionDep
) -> RenterPublic:
    """Correct a tenant's name or contact details."""
    tenant = may_write(principal)
    renter = await service.renter_of(session, tenant, renter_id)
    for field in ("name", "email", "phone"):
        value = getattr(body, field)
        if value is not None:
            setattr(renter, field, value)
    return _renter(renter)


@router.post("/leases", response_model=LeasePublic, status_code=201)
async def create_lease(
    body: LeaseCreate, principal: CurrentPrincipal, session: SessionDep
) -> LeasePublic:
    """A draft lease with its rent schedule; activate it to start billing."""
    tenant = may_write(principal)
    return await service.lease_public(session, await service.create_lease(session, tenant, body))


@router.get("/leases", response_model=LeasePage)
async def list_leases(
    principal: CurrentPrincipal,
    session: SessionDep,
    status: Literal["draft", "active", "ended", "terminated", "renewed"] | None = None,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> LeasePage:
    tenant = may_read(principal)
    query = select(Lease).where(Lease.tenant_id == tenant)
    if status is not None:
        query = query.where(Lease.status == status)
    rows, next_cursor = await page(session, query, Lease.id, cursor, limit)
    items = [await service.lease_public(session, lease) for (lease,) in rows]
    return LeasePage(items=items, next_cursor=next_cursor)


@router.get("/leases/{lease_id}", response_model=LeasePublic)
async def get_lease(
    lease_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> LeasePublic:
    tenant = may_read(principal)
    return await service.lease_public(session, await service.lease_of(session, tenant, lease_id))


@router.post("/leases/{lease_id}/activate", response_model=LeasePublic)
async def activate_lease(
    lease_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> LeasePublic:
    tenant = may_write(principal)
    return await service.lease_public(session, await service.activate(session, tenant, lease_id))


@router.post("/leases/{lease_id}/rent-steps", response_model=LeasePublic, status_code=201)
async def add_rent_step(
    lease_id: uuid.UUID, body: RentStepIn, principal: CurrentPrincipal, session: SessionDep
) -> LeasePublic:
    """A rent change from `effective_on` on."""
    tenant = may_write(principal)
    lease = await service.add_rent_step(session, tenant, lease_id, body)
    return await service.lease_public(session, lease)


@router.post("/leases/{lease_id}/end", response_model=LeasePublic)
async def end_lease(
    lease_id: uuid.UUID, body: LeaseEnd, principal: CurrentPrincipal, session: SessionDep
) -> LeasePublic:
    """End at the planned end (or `moved_out_on`); the last month is prorated."""
    tenant = may_write(principal)
    today = datetime.now(UTC).date()
    lease = await service.end(session, principal, tenant, lease_id, body.moved_out_on, today)
    return await service.lease_public(session, lease)


@router.post("/leases/{lease_id}/terminate", response_model=LeasePublic)
async def terminate_lease(
    lease_id: uuid.UUID, body: LeaseTermination, principal: CurrentPrincipal, session: SessionDep
) -> LeasePublic:
    """End early, with a reason (audited); rent billed past the move-out is voided."""
    tenant = may_write(principal)
    today = datetime.now(UTC).date()
    lease = await service.end(
        session, principal, tenant, lease_id, body.moved_out_on, today, reason=body.reason
    )
    return await service.lease_public(session, lease)


@router.post("/leases/{lease_id}/renew", response_model=LeasePublic, status_code=201)
async def renew_lease(
    lease_id: uuid.UUID, body: LeaseRenewal, principal: CurrentPrincipal, session: SessionDep
) -> LeasePublic:
    """A new active lease from the day after this one ends; answers the new lease."""
    tenant = may_write(principal)
    return await service.lease_public(session, await service.renew(session, tenant, lease_id, body))
