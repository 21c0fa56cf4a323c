"""SQL of identity: users, memberships, refresh-token families, API keys, invitations."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portfolio_service.identity.models import (
    ApiKey,
    Invitation,
    Membership,
    RefreshToken,
    Tenant,
    User,
)


async def user_by_email(session: AsyncSession, email: str, *, lock: bool = False) -> User | None:
    """The user with this (lower-cased) e-mail, locked for update when asked."""
    query = select(User).where(User.email == email.lower())
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    """The user, or None."""
    return await session.get(User, user_id)


async def memberships_of(
    session: AsyncSession, user_id: uuid.UUID
) -> list[tuple[Membership, Tenant]]:
    """Every tenant the user belongs to, oldest membership first."""
    rows = await session.execute(
        select(Membership, Tenant)
        .join(Tenant, Tenant.id == Membership.tenant_id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.created_at, Membership.tenant_id)
    )
    return [(m, t) for m, t in rows.all()]


async def membership(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> Membership | None:
    """The user's membership of the tenant, or None."""
    return await session.get(Membership, (tenant_id, user_id))


async def members_of(session: AsyncSession, tenant_id: uuid.UUID) -> list[tuple[Membership, User]]:
    """The tenant's members with their users."""
    rows = await session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == tenant_id)
        .order_by(Membership.created_at)
    )
    return [(m, u) for m, u in rows.all()]


async def refresh_token_by_digest(session: AsyncSession, digest: str) -> RefreshToken | None:
    """The refresh token with this digest, locked so two rotations cannot both win."""
    query = select(RefreshToken).where(RefreshToken.token_hash == digest).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def revoke_family(session: AsyncSession, family_id: uuid.UUID, now: datetime) -> None:
    """Revoke every token of a rotation family (logout, or reuse of a rotated token)."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def api_key_by_prefix(session: AsyncSession, prefix: str) -> ApiKey | None:
    """The API key whose public prefix is `prefix`."""
    return (
        await session.execute(select(ApiKey).where(ApiKey.prefix == prefix))
    ).scalar_one_or_none()


async def api_keys_of(session: AsyncSession, tenant_id: uuid.UUID) -> list[ApiKey]:
    """The tenant's API keys, newest first."""
    query = select(ApiKey).where(ApiKey.tenant_id == tenant_id).order_by(ApiKey.created_at.desc())
    return list((await session.execute(query)).scalars())


async def api_key(session: AsyncSession, tenant_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
    """One of the tenant's API keys (another tenant's is None)."""
    key = await session.get(ApiKey, key_id)
    return key if key is not None and key.tenant_id == tenant_id else None


async def invitation_by_digest(session: AsyncSession, digest: str) -> Invitation | None:
    """The invitation with this token digest, locked for acceptance."""
    query = select(Invitation).where(Invitation.token_hash == digest).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()
