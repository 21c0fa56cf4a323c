"""User access tokens: Ed25519 JWTs signed by the gateway, audience `finfleet-api`.

Until sign-in exists (issue 8), tokens come from `python -m portfolio_service.dev_token`, which
refuses to run in production.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fleetkit.auth import bearer_token, principal_from_claims
from fleetkit.internal_jwt import InvalidToken, TokenMinter, TokenVerifier
from fleetkit.policy import Principal
from fleetkit.problems import ProblemError

PUBLIC_AUDIENCE = "finfleet-api"
ACCESS_TOKEN_TTL_SECONDS = 300
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="finfleet"'}


def access_token_minter(issuer: str, seed: bytes) -> TokenMinter:
    """Signs user access tokens."""
    return TokenMinter(issuer, seed, ttl_seconds=ACCESS_TOKEN_TTL_SECONDS)


async def current_user(request: Request) -> Principal:
    """The signed-in user; 401 problem without a valid access token."""
    token = bearer_token(request)
    if token is None:
        raise ProblemError(401, detail="an access token is required", headers=_CHALLENGE)
    verifier: TokenVerifier = request.app.state.access_token_verifier
    try:
        claims = verifier.verify(token)
    except InvalidToken as exc:
        raise ProblemError(401, "invalid-token", str(exc), headers=_CHALLENGE) from exc
    principal = principal_from_claims(claims)
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]
