"""Use cases of a tenant's membership: invite, accept, list, change roles, remove; each change
appended to the tenant's audit log in the same transaction."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.ids import new_id
from fleetkit.pagination import decode_cursor, encode_cursor
from fleetkit.policy import Principal, Resource, Role, authorize
from fleetkit.problems import ProblemError, not_found
from portfolio_service.identity import repository
from portfolio_service.identity.models import Invitation, Membership, User
from portfolio_service.identity.secrets import new_secret, secret_digest
from portfolio_service.identity.service import accept_invitation
from portfolio_service.identity.tokens import ids_of
from portfolio_service.tenants import repository as audit
from portfolio_service.tenants.schemas import (
    AuditEntryPublic,
    AuditPage,
    InvitationCreate,
    InvitationCreated,
    MemberPublic,
)

OWNER = Role.OWNER.value


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
    audit.record(
        session, tenant_id, invitation.invited_by, "member_invited", (None, invitation.email),
        None, {"roles": invitation.roles, "expires_at": invitation.expires_at.isoformat()},
    )  # fmt: skip
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


async def _member_to_change(
    session: AsyncSession, principal: Principal, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> tuple[uuid.UUID, Membership, User]:
    """(acting user, the member's membership, the member) under the tenant's lock; owners and
    admins only; 404 when the user is not a member."""
    authorize(principal, "manage_members", Resource("tenant", str(tenant_id)))
    actor = ids_of(principal)[1]
    await audit.lock_tenant(session, tenant_id)
    found = await repository.membership(session, tenant_id, user_id)
    user = await repository.user_by_id(session, user_id)
    if found is None or user is None:
        raise not_found("member")
    return actor, found, user


async def _guard_owners(
    session: AsyncSession, principal: Principal, tenant_id: uuid.UUID, user_id: uuid.UUID,
    before: list[str], after: list[str],
) -> None:  # fmt: skip
    """Only an owner grants or takes the owner role; the last owner keeps it."""
    if (OWNER in before) == (OWNER in after):
        return
    if OWNER not in principal.roles:
        raise ProblemError(403, "owner-role-reserved", "only an owner grants or removes owners")
    if OWNER in before and await audit.owners_of(session, tenant_id) == [user_id]:
        raise ProblemError(409, "last-owner", "a tenant keeps at least one owner")


async def change_roles(
    session: AsyncSession, principal: Principal, tenant_id: uuid.UUID, user_id: uuid.UUID,
    roles: list[Role],
) -> MemberPublic:  # fmt: skip
    """Replace a member's roles (owners, admins); the change is audited. The member's next
    refresh carries the new roles."""
    if Role.SERVICE in roles:
        raise ProblemError(422, "role-not-grantable", "the service role is not for people")
    actor, found, user = await _member_to_change(session, principal, tenant_id, user_id)
    before, after = sorted(found.roles), sorted({role.value for role in roles})
    if before != after:
        await _guard_owners(session, principal, tenant_id, user_id, before, after)
        found.roles = after
        audit.record(session, tenant_id, actor, "roles_changed", (user.id, user.email),
                     {"roles": before}, {"roles": after})  # fmt: skip
    return MemberPublic(user_id=user.id, email=user.email, display_name=user.display_name,
                        roles=after)  # fmt: skip


async def remove_member(
    session: AsyncSession, principal: Principal, tenant_id: uuid.UUID, user_id: uuid.UUID,
    now: datetime,
) -> None:  # fmt: skip
    """Take a member out of the tenant (owners, admins); their refresh tokens there are
    revoked and their API keys stop working; the removal is audited."""
    actor, found, user = await _member_to_change(session, principal, tenant_id, user_id)
    before = sorted(found.roles)
    await _guard_owners(session, principal, tenant_id, user_id, before, [])
    await session.delete(found)
    await audit.revoke_sessions(session, tenant_id, user_id, now)
    audit.record(session, tenant_id, actor, "member_removed", (user.id, user.email),
                 {"roles": before}, None)  # fmt: skip


async def audit_log(
    session: AsyncSession, principal: Principal, tenant_id: uuid.UUID, limit: int,
    cursor: str | None,
) -> AuditPage:  # fmt: skip
    """The tenant's membership changes, oldest first (owners, admins)."""
    authorize(principal, "manage_members", Resource("tenant", str(tenant_id)))
    after_text = decode_cursor(cursor, "")
    try:
        after = uuid.UUID(after_text) if after_text else None
    except ValueError as exc:
        raise ProblemError(400, "invalid-cursor", "cursor is not one this API gave out") from exc
    rows = await audit.audit_page(session, tenant_id, limit + 1, after)
    items = [AuditEntryPublic.model_validate(row, from_attributes=True) for row in rows[:limit]]
    next_cursor = encode_cursor(str(rows[limit - 1].id)) if len(rows) > limit else None
    return AuditPage(items=items, next_cursor=next_cursor)
