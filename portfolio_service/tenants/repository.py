"""SQL of a tenant's membership changes and their audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import any_, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.ids import new_id
from portfolio_service.identity.models import Membership, RefreshToken, Tenant
from portfolio_service.tenants.models import MembershipAudit


async def lock_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant | None:
    """The tenant, locked: membership changes of one tenant run one at a time, so two owners
    demoting each other cannot both pass the last-owner check."""
    query = select(Tenant).where(Tenant.id == tenant_id).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def owners_of(session: AsyncSession, tenant_id: uuid.UUID) -> list[uuid.UUID]:
    """The users holding the owner role in the tenant."""
    query = select(Membership.user_id).where(
        Membership.tenant_id == tenant_id, literal("owner") == any_(Membership.roles)
    )
    return list((await session.execute(query)).scalars())


def record(
    session: AsyncSession, tenant_id: uuid.UUID, actor: uuid.UUID, action: str,
    member: tuple[uuid.UUID | None, str], before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:  # fmt: skip
    """Append one change to the tenant's audit log, in the caller's transaction."""
    session.add(
        MembershipAudit(
            id=new_id(),
            tenant_id=tenant_id,
            actor_user_id=actor,
            action=action,
            member_user_id=member[0],
            member_email=member[1],
            before=before,
            after=after,
        )
    )


async def audit_page(
    session: AsyncSession, tenant_id: uuid.UUID, limit: int, after_id: uuid.UUID | None
) -> list[MembershipAudit]:
    """The tenant's audit log oldest first (ids are UUIDv7: time-ordered), `limit` rows after
    `after_id`."""
    query = select(MembershipAudit).where(MembershipAudit.tenant_id == tenant_id)
    if after_id is not None:
        query = query.where(MembershipAudit.id > after_id)
    query = query.order_by(MembershipAudit.id).limit(limit)
    return list((await session.execute(query)).scalars())


async def revoke_sessions(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, now: datetime
) -> None:
    """Revoke the user's refresh tokens in the tenant (a removed member signs in nowhere)."""
    await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.tenant_id == tenant_id,
            RefreshToken.user_id == user_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
