"""Public identity API: register, OAuth2 password sign-in, refresh, logout, me, API keys."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from fleetkit.db import SessionDep
from fleetkit.problems import ProblemError
from portfolio_service.identity import api_keys, repository, service
from portfolio_service.identity.authentication import CurrentCaller
from portfolio_service.identity.rate_limits import charge
from portfolio_service.identity.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    MePublic,
    RefreshRequest,
    RegisterRequest,
    TokenGrant,
    UserPublic,
)
from portfolio_service.identity.service import TokenPolicy, utc_now
from portfolio_service.identity.tokens import ids_of

router = APIRouter(prefix="/api/v1", tags=["identity"])


def token_policy(request: Request) -> TokenPolicy:
    """How this gateway signs access tokens and how long refresh tokens live."""
    settings = request.app.state.settings
    return TokenPolicy(
        request.app.state.access_token_minter, timedelta(days=settings.refresh_token_days)
    )


async def anonymous_budget(request: Request) -> None:
    """Unauthenticated endpoints are charged to the client's address."""
    client = request.client.host if request.client else "unknown"
    limit = request.app.state.settings.rate_limit_per_minute
    await charge(request.app.state.redis, f"ip:{client}", limit)


Policy = Annotated[TokenPolicy, Depends(token_policy)]
Anonymous = [Depends(anonymous_budget)]


@router.post("/auth/register", response_model=UserPublic, status_code=201, dependencies=Anonymous)
async def register(body: RegisterRequest, session: SessionDep) -> UserPublic:
    """Create an account, with a new organization (`tenant_name`) or by invitation."""
    return await service.register(session, body, utc_now())


@router.post("/auth/token", response_model=TokenGrant, dependencies=Anonymous)
async def sign_in(
    session: SessionDep,
    policy: Policy,
    username: Annotated[str, Form(description="the e-mail address")],
    password: Annotated[str, Form()],
    grant_type: Annotated[str, Form()] = "password",
    tenant_id: Annotated[uuid.UUID | None, Form()] = None,
) -> TokenGrant:
    """OAuth2 password flow: an access token (5 min) and a rotating refresh token."""
    if grant_type != "password":
        raise ProblemError(400, "unsupported-grant-type", "only grant_type=password is served")
    return await service.sign_in(
        session, policy, email=username, password=password, tenant_id=tenant_id, now=utc_now()
    )


@router.post("/auth/refresh", response_model=TokenGrant, dependencies=Anonymous)
async def refresh(body: RefreshRequest, session: SessionDep, policy: Policy) -> TokenGrant:
    """Trade a refresh token for a new pair; the old one is used up (reuse revokes them all)."""
    return await service.rotate(session, policy, body.refresh_token, utc_now())


@router.post("/auth/logout", status_code=204, dependencies=Anonymous)
async def logout(body: RefreshRequest, session: SessionDep) -> Response:
    """Revoke the refresh token and every token rotated from the same sign-in."""
    await service.sign_out(session, body.refresh_token, utc_now())
    return Response(status_code=204)


@router.get("/me", response_model=MePublic)
async def me(caller: CurrentCaller, session: SessionDep) -> MePublic:
    """The caller: user, current tenant and roles, how they authenticated."""
    user = await repository.user_by_id(session, ids_of(caller.principal)[1])
    if user is None:
        raise ProblemError(401, "invalid-token", "the user of this token no longer exists")
    return MePublic(
        user=await service.profile(session, user),
        tenant_id=caller.principal.tenant_id,
        roles=sorted(caller.principal.roles),
        authenticated_by="api_key" if caller.by_api_key else "access_token",
    )


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201)
async def create_api_key(
    body: ApiKeyCreate, caller: CurrentCaller, session: SessionDep
) -> ApiKeyCreated:
    """A key for a machine client; the secret is in this answer only."""
    return await api_keys.create_api_key(session, caller, body, utc_now())


@router.get("/api-keys", response_model=list[ApiKeyPublic])
async def list_api_keys(caller: CurrentCaller, session: SessionDep) -> list[ApiKeyPublic]:
    """Your keys (an owner sees the tenant's)."""
    return await api_keys.list_api_keys(session, caller)


@router.delete("/api-keys/{key_id}", response_model=ApiKeyPublic)
async def revoke_api_key(
    key_id: uuid.UUID, caller: CurrentCaller, session: SessionDep
) -> ApiKeyPublic:
    """Revoke a key: it is refused from the next request on."""
    return await api_keys.revoke_api_key(session, caller, key_id, utc_now())
