"""Who is calling the public API: a user access token or an API key.

Machine clients send an API key (`X-API-Key: ffk_...`, or as a bearer token); users send the
access token of their sign-in. Every authenticated call is charged to its principal's
per-minute budget.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fleetkit.auth import bearer_token, principal_from_claims, verify_bearer
from fleetkit.policy import Principal
from fleetkit.row_security import bind_tenant
from portfolio_service.identity.api_keys import caller_of_api_key
from portfolio_service.identity.rate_limits import charge
from portfolio_service.identity.tokens import API_KEY_PREFIX, Caller


def presented_api_key(request: Request) -> str | None:
    """The API key of `X-API-Key`, or of a bearer token that is one."""
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    token = bearer_token(request)
    return token if token is not None and token.startswith(API_KEY_PREFIX) else None


async def current_caller(request: Request) -> Caller:
    """The signed-in user or API key; 401 without valid credentials, 429 over budget."""
    state = request.app.state
    key = presented_api_key(request)
    if key is not None:
        caller = await caller_of_api_key(state.sessionmaker, key)
        budget_key = f"apikey:{caller.principal.attributes.get('api_key_id', '')}"
    else:
        claims = verify_bearer(request, state.access_token_verifier, realm="finfleet")
        caller = Caller(principal_from_claims(claims))
        budget_key = f"user:{claims.subject}"
    await charge(state.redis, budget_key, state.settings.rate_limit_per_minute)
    request.state.principal = caller.principal
    # From here on the request's database transactions act for this tenant (row-level security).
    bind_tenant(caller.principal.tenant_id)
    return caller


async def current_user(request: Request) -> Principal:
    """The signed-in principal (user or API key)."""
    return (await current_caller(request)).principal


CurrentCaller = Annotated[Caller, Depends(current_caller)]
CurrentUser = Annotated[Principal, Depends(current_user)]
