"""API keys for machine clients: created by a user, scoped, revocable, checked per request."""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fleetkit.ids import new_id
from fleetkit.policy import Principal, Role
from fleetkit.problems import ProblemError, not_found
from portfolio_service.identity import repository
from portfolio_service.identity.models import ApiKey
from portfolio_service.identity.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from portfolio_service.identity.secrets import secret_digest
from portfolio_service.identity.tokens import API_KEY_PREFIX, Caller, ids_of


def _refused() -> ProblemError:
    return ProblemError(
        401, "invalid-api-key", "the API key is unknown or revoked",
        headers={"WWW-Authenticate": 'Bearer realm="finfleet"'},
    )  # fmt: skip


async def caller_of_api_key(sessionmaker: async_sessionmaker[AsyncSession], key: str) -> Caller:
    """The principal behind a presented key: its roles, still held by its creator, and scopes."""
    prefix = key.removeprefix(API_KEY_PREFIX).partition("_")[0]
    async with sessionmaker() as session, session.begin():
        stored = await repository.api_key_by_prefix(session, prefix)
        if stored is None or stored.revoked_at is not None:
            raise _refused()
        if not hmac.compare_digest(stored.key_hash, secret_digest(key)):
            raise _refused()
        membership = await repository.membership(session, stored.tenant_id, stored.user_id)
        # A key never outlives its creator's roles: leaving the tenant disarms it.
        roles = frozenset(stored.roles) & frozenset(membership.roles if membership else ())
        if not roles:
            raise _refused()
    principal = Principal(
        subject=str(stored.user_id),
        tenant_id=str(stored.tenant_id),
        roles=roles,
        attributes={"api_key_id": str(stored.id)},
    )
    return Caller(principal, api_key_scopes=frozenset(stored.scopes))


def key_public(key: ApiKey) -> ApiKeyPublic:
    """The key as shown in lists (never its secret)."""
    return ApiKeyPublic(
        id=key.id, name=key.name, prefix=key.prefix, roles=sorted(key.roles),
        scopes=sorted(key.scopes), created_at=key.created_at, revoked_at=key.revoked_at,
    )  # fmt: skip


def _user_only(caller: Caller) -> tuple[uuid.UUID, uuid.UUID]:
    if caller.by_api_key or caller.principal.tenant_id is None:
        raise ProblemError(403, "user-token-required", "API keys are managed with a user's token")
    return ids_of(caller.principal)


async def create_api_key(
    session: AsyncSession, caller: Caller, body: ApiKeyCreate, now: datetime
) -> ApiKeyCreated:
    """A new key for the caller with a subset of their roles; its secret is shown only now."""
    tenant_id, user_id = _user_only(caller)
    held = set(caller.principal.roles)
    roles = {role.value for role in body.roles} if body.roles else held
    if not roles <= held:
        missing = sorted(roles - held)
        raise ProblemError(403, "roles-not-held", f"a key cannot carry roles you lack: {missing}")
    prefix = secrets.token_hex(6)
    secret = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        id=new_id(), tenant_id=tenant_id, user_id=user_id, name=body.name, prefix=prefix,
        key_hash=secret_digest(secret), roles=sorted(roles), scopes=sorted(set(body.scopes)),
        created_at=now,
    )  # fmt: skip
    session.add(key)
    await session.flush()
    return ApiKeyCreated(**key_public(key).model_dump(), key=secret)


async def list_api_keys(session: AsyncSession, caller: Caller) -> list[ApiKeyPublic]:
    """The caller's keys; a tenant owner sees every key of the tenant."""
    tenant_id, user_id = _user_only(caller)
    keys = await repository.api_keys_of(session, tenant_id)
    everyone = Role.OWNER.value in caller.principal.roles
    return [key_public(k) for k in keys if everyone or k.user_id == user_id]


async def revoke_api_key(
    session: AsyncSession, caller: Caller, key_id: uuid.UUID, now: datetime
) -> ApiKeyPublic:
    """Revoke one of the caller's keys (an owner may revoke any key of the tenant)."""
    tenant_id, user_id = _user_only(caller)
    key = await repository.api_key(session, tenant_id, key_id)
    everyone = Role.OWNER.value in caller.principal.roles
    if key is None or not (everyone or key.user_id == user_id):
        raise not_found("API key")
    if key.revoked_at is None:
        key.revoked_at = now
    return key_public(key)
