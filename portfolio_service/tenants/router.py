"""Public API of a tenant's members and invitations."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter, Request, Response

from fleetkit.db import SessionDep
from portfolio_service.identity.authentication import CurrentCaller
from portfolio_service.identity.service import utc_now
from portfolio_service.identity.tokens import require_scope
from portfolio_service.tenants import service
from portfolio_service.tenants.schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    MemberPublic,
)

router = APIRouter(prefix="/api/v1", tags=["tenants"])


@router.post("/tenants/{tenant_id}/invitations", response_model=InvitationCreated, status_code=201)
async def invite(
    tenant_id: uuid.UUID,
    body: InvitationCreate,
    caller: CurrentCaller,
    session: SessionDep,
    request: Request,
) -> InvitationCreated:
    """Invite an e-mail address with roles (owners); the invitee registers with the token."""
    require_scope(caller, "write")
    days = request.app.state.settings.invitation_days
    return await service.invite(
        session, caller.principal, tenant_id, body, valid_for=timedelta(days=days), now=utc_now()
    )


@router.post("/invitations/accept", status_code=204)
async def accept_invitation(
    body: InvitationAccept, caller: CurrentCaller, session: SessionDep
) -> Response:
    """An existing user joins the tenant that invited them (sign in again to act there)."""
    require_scope(caller, "write")
    await service.accept(session, caller.principal, body.token, utc_now())
    return Response(status_code=204)


@router.get("/tenants/{tenant_id}/members", response_model=list[MemberPublic])
async def list_members(
    tenant_id: uuid.UUID, caller: CurrentCaller, session: SessionDep
) -> list[MemberPublic]:
    """The tenant's members and their roles."""
    return await service.members(session, caller.principal, tenant_id)
