"""User access tokens: Ed25519 JWTs signed by the gateway, audience `finfleet-api`.

Until sign-in exists (issue 8), tokens come from `python -m portfolio_service.dev_token`, which
refuses to run in production.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fleetkit.auth import principal_from_claims, verify_bearer
from fleetkit.internal_jwt import TokenMinter
from fleetkit.policy import Principal

PUBLIC_AUDIENCE = "finfleet-api"
ACCESS_TOKEN_TTL_SECONDS = 300


def access_token_minter(issuer: str, seed: bytes) -> TokenMinter:
    """Signs user access tokens."""
    return TokenMinter(issuer, seed, ttl_seconds=ACCESS_TOKEN_TTL_SECONDS)


async def current_user(request: Request) -> Principal:
    """The signed-in user; 401 problem without a valid access token."""
    claims = verify_bearer(request, request.app.state.access_token_verifier, realm="finfleet")
    principal = principal_from_claims(claims)
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]
