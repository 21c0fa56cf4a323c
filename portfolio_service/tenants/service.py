"""Use cases of a tenant's membership: invite, accept, list members."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.ids import new_id
from fleetkit.policy import Principal, Resource, Role, authorize
from fleetkit.problems import ProblemError
from portfolio_service.identity import repository
from portfolio_service.identity.models import Invitation
from portfolio_service.identity.secrets import new_secret, secret_digest
from portfolio_service.identity.service import accept_invitation
from portfolio_service.identity.tokens import ids_of
from portfolio_service.tenants.schemas import InvitationCreate, InvitationCreated, MemberPublic


async def invite(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    body: InvitationCreate,
    *,
    valid_for: timedelta,
    now: datetime,
) -> InvitationCreated:
    """An invitation to join the tenant (owners only); the token is returned once."""
    authorize(principal, "manage_members", Resource("tenant", str(tenant_id)))
    if Role.SERVICE in body.roles:
        raise ProblemError(422, "role-not-grantable", "the service role is not for people")
    token = new_secret("inv_")
    invitation = Invitation(
        id=new_id(), tenant_id=tenant_id, email=body.email.lower(),
        roles=sorted({role.value for role in body.roles}), token_hash=secret_digest(token),
        invited_by=ids_of(principal)[1], expires_at=now + valid_for,
    )  # fmt: skip
    session.add(invitation)
    await session.flush()
    return InvitationCreated(
        id=invitation.id, tenant_id=tenant_id, email=invitation.email, roles=invitation.roles,
        expires_at=invitation.expires_at, token=token,
    )  # fmt: skip


async def accept(session: AsyncSession, principal: Principal, token: str, now: datetime) -> None:
    """The signed-in user joins the tenant that invited their e-mail address."""
    user = await repository.user_by_id(session, ids_of(principal)[1])
    if user is None:
        raise ProblemError(401, "invalid-token", "the user of this token no longer exists")
    await accept_invitation(session, user, token, now)


async def members(
    session: AsyncSession, principal: Principal, tenant_id: uuid.UUID
) -> list[MemberPublic]:
    """The tenant's members and their roles (staff of the tenant)."""
    authorize(principal, "read", Resource("tenant", str(tenant_id)))
    return [
        MemberPublic(user_id=u.id, email=u.email, display_name=u.display_name, roles=m.roles)
        for m, u in await repository.members_of(session, tenant_id)
    ]
