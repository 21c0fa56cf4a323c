"""Use cases of identity: register, sign in, rotate and revoke refresh tokens."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.ids import new_id
from fleetkit.internal_jwt import TokenMinter
from fleetkit.policy import Role
from fleetkit.problems import ProblemError
from portfolio_service.domain.lockout import lock_after_failure
from portfolio_service.identity import repository
from portfolio_service.identity.models import Membership, RefreshToken, Tenant, User
from portfolio_service.identity.schemas import (
    MembershipPublic,
    RegisterRequest,
    TokenGrant,
    UserPublic,
)
from portfolio_service.identity.secrets import (
    hash_password,
    new_secret,
    password_matches,
    secret_digest,
)
from portfolio_service.identity.tokens import ACCESS_TOKEN_TTL_SECONDS, PUBLIC_AUDIENCE
from portfolio_service.tenants import repository as audit


@dataclass(frozen=True)
class TokenPolicy:
    """How tokens are made: the gateway's signer and the refresh tokens' lifetime."""

    minter: TokenMinter
    refresh_ttl: timedelta


def invalid_grant(detail: str) -> ProblemError:
    """The 401 of a refused sign-in or refresh (one type, so nothing is learnt from it)."""
    return ProblemError(401, "invalid-grant", detail, headers={"WWW-Authenticate": "Bearer"})


async def register(session: AsyncSession, body: RegisterRequest, now: datetime) -> UserPublic:
    """Create the user and either a new tenant they own or the membership they were invited to."""
    email = body.email.lower()
    if await repository.user_by_email(session, email) is not None:
        raise ProblemError(409, "email-taken", "an account with this e-mail already exists")
    if (body.tenant_name is None) == (body.invitation_token is None):
        raise ProblemError(
            422, "tenant-choice", "give exactly one of tenant_name and invitation_token"
        )
    user = User(
        id=new_id(),
        email=email,
        display_name=body.display_name,
        password_hash=await asyncio.to_thread(hash_password, body.password),
        attributes={},
        failed_logins=0,
    )
    session.add(user)
    await session.flush()
    if body.tenant_name is not None:
        tenant = Tenant(id=new_id(), name=body.tenant_name)
        session.add(tenant)
        await session.flush()
        session.add(Membership(tenant_id=tenant.id, user_id=user.id, roles=[Role.OWNER.value]))
    else:
        await accept_invitation(session, user, body.invitation_token or "", now)
    await session.flush()
    return await profile(session, user)


async def accept_invitation(session: AsyncSession, user: User, token: str, now: datetime) -> None:
    """Join the inviting tenant with the invited roles; the invitation is used up."""
    invitation = await repository.invitation_by_digest(session, secret_digest(token))
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.expires_at <= now
        or invitation.email != user.email
    ):
        raise ProblemError(
            422, "invalid-invitation", "the invitation is unknown, used, expired or for another"
        )
    invitation.accepted_at = now
    existing = await repository.membership(session, invitation.tenant_id, user.id)
    before = None if existing is None else {"roles": sorted(existing.roles)}
    if existing is None:
        roles = sorted(invitation.roles)
        session.add(Membership(tenant_id=invitation.tenant_id, user_id=user.id, roles=roles))
    else:
        roles = existing.roles = sorted(set(existing.roles) | set(invitation.roles))
    await session.flush()  # the user and membership exist before the audit row names them
    audit.record(session, invitation.tenant_id, user.id, "member_joined", (user.id, user.email),
                 before, {"roles": roles})  # fmt: skip


async def profile(session: AsyncSession, user: User) -> UserPublic:
    """The user and the tenants they belong to."""
    memberships = await repository.memberships_of(session, user.id)
    return UserPublic(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        memberships=[
            MembershipPublic(tenant_id=t.id, tenant_name=t.name, roles=sorted(m.roles))
            for m, t in memberships
        ],
    )


async def sign_in(
    session: AsyncSession,
    policy: TokenPolicy,
    *,
    email: str,
    password: str,
    tenant_id: uuid.UUID | None,
    now: datetime,
) -> TokenGrant:
    """Check the password (with lockout) and grant tokens for one of the user's tenants."""
    user = await repository.user_by_email(session, email, lock=True)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        wait = max(1, int((user.locked_until - now).total_seconds() + 0.999))
        raise ProblemError(
            429,
            "sign-in-locked",
            "too many failed sign-ins; wait before trying again",
            headers={"Retry-After": str(wait)},
        )
    matches = await asyncio.to_thread(
        password_matches, user.password_hash if user else None, password
    )
    if user is None or not matches:
        if user is not None:
            user.failed_logins += 1
            user.locked_until = lock_after_failure(user.failed_logins, now)
            # The refusal is an error answer, which rolls the request back: keep the count.
            await session.commit()
        raise invalid_grant("the e-mail or the password is wrong")
    user.failed_logins, user.locked_until = 0, None
    membership = await _membership_for(session, user, tenant_id)
    return await _grant(session, policy, user, membership, family_id=new_id(), now=now)


async def rotate(
    session: AsyncSession, policy: TokenPolicy, refresh_token: str, now: datetime
) -> TokenGrant:
    """A new token pair for a valid refresh token, which is used up.

    Presenting a token that was already rotated means it was copied: the whole family is
    revoked, so the thief and the victim both have to sign in again.
    """
    stored = await repository.refresh_token_by_digest(session, secret_digest(refresh_token))
    if stored is None or stored.revoked_at is not None:
        raise invalid_grant("the refresh token is unknown or revoked")
    if stored.rotated_at is not None:
        await repository.revoke_family(session, stored.family_id, now)
        await session.commit()  # the refusal below rolls back; the revocation must stay
        raise ProblemError(
            401,
            "refresh-token-reused",
            "this refresh token was already used; every session of its family is revoked",
        )
    if stored.expires_at <= now:
        raise invalid_grant("the refresh token has expired")
    stored.rotated_at = now
    user = await repository.user_by_id(session, stored.user_id)
    membership = await repository.membership(session, stored.tenant_id, stored.user_id)
    if user is None or membership is None:
        raise invalid_grant("the membership behind this refresh token is gone")
    return await _grant(session, policy, user, membership, family_id=stored.family_id, now=now)


async def sign_out(session: AsyncSession, refresh_token: str, now: datetime) -> None:
    """Revoke the refresh token's whole family; an unknown token is quietly accepted."""
    stored = await repository.refresh_token_by_digest(session, secret_digest(refresh_token))
    if stored is not None:
        await repository.revoke_family(session, stored.family_id, now)


async def _membership_for(
    session: AsyncSession, user: User, tenant_id: uuid.UUID | None
) -> Membership:
    memberships = [m for m, _ in await repository.memberships_of(session, user.id)]
    if tenant_id is not None:
        chosen = [m for m in memberships if m.tenant_id == tenant_id]
        if not chosen:
            raise invalid_grant("you are not a member of that tenant")
        return chosen[0]
    if len(memberships) != 1:
        raise ProblemError(
            422,
            "tenant-required",
            "you belong to several tenants (or none): name one with tenant_id",
            tenants=[str(m.tenant_id) for m in memberships],
        )
    return memberships[0]


async def _grant(
    session: AsyncSession,
    policy: TokenPolicy,
    user: User,
    membership: Membership,
    *,
    family_id: uuid.UUID,
    now: datetime,
) -> TokenGrant:
    refresh = new_secret("rt_")
    session.add(
        RefreshToken(
            id=new_id(),
            family_id=family_id,
            user_id=user.id,
            tenant_id=membership.tenant_id,
            token_hash=secret_digest(refresh),
            expires_at=now + policy.refresh_ttl,
        )
    )
    await session.flush()
    access = policy.minter.mint(
        PUBLIC_AUDIENCE,
        subject=str(user.id),
        tenant_id=str(membership.tenant_id),
        roles=set(membership.roles),
        attributes={str(k): str(v) for k, v in (user.attributes or {}).items()},
    )
    return TokenGrant(
        access_token=access,
        expires_in=ACCESS_TOKEN_TTL_SECONDS,
        refresh_token=refresh,
        refresh_expires_in=int(policy.refresh_ttl.total_seconds()),
        tenant_id=membership.tenant_id,
        roles=sorted(membership.roles),
    )


def utc_now() -> datetime:
    """The current instant (UTC)."""
    return datetime.now(UTC)
