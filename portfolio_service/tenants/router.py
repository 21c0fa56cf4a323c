"""Public API of a tenant's members and invitations."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter, Request, Response

from fleetkit.db import SessionDep
from fleetkit.pagination import Cursor, Limit
from portfolio_service.identity.authentication import CurrentCaller
from portfolio_service.identity.service import utc_now
from portfolio_service.identity.tokens import require_scope
from portfolio_service.tenants import service
from portfolio_service.tenants.schemas import (
    AuditPage,
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    MemberPublic,
    MemberRolesUpdate,
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


@router.patch("/tenants/{tenant_id}/members/{user_id}", response_model=MemberPublic)
async def change_member_roles(
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    body: MemberRolesUpdate,
    caller: CurrentCaller,
    session: SessionDep,
) -> MemberPublic:
    """Replace a member's roles (owners, admins; only an owner grants or removes `owner`, and
    the last owner keeps it). Audited."""
    require_scope(caller, "write")
    return await service.change_roles(session, caller.principal, tenant_id, user_id, body.roles)


@router.delete("/tenants/{tenant_id}/members/{user_id}", status_code=204)
async def remove_member(
    tenant_id: uuid.UUID, user_id: uuid.UUID, caller: CurrentCaller, session: SessionDep
) -> Response:
    """Remove a member (owners, admins; never the last owner); their sessions in the tenant
    are revoked. Audited."""
    require_scope(caller, "write")
    await service.remove_member(session, caller.principal, tenant_id, user_id, utc_now())
    return Response(status_code=204)


@router.get("/tenants/{tenant_id}/audit-log", response_model=AuditPage)
async def read_audit_log(
    tenant_id: uuid.UUID,
    caller: CurrentCaller,
    session: SessionDep,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> AuditPage:
    """Who invited, added, re-roled or removed whom, before and after, when (owners, admins)."""
    return await service.audit_log(session, caller.principal, tenant_id, limit, cursor)
