"""Who is calling: every service route needs a valid internal token for this service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fleetkit.internal_jwt import InternalClaims, InvalidToken, TokenVerifier
from fleetkit.policy import Principal
from fleetkit.problems import ProblemError
from fleetkit.row_security import bind_tenant


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer` header, if any."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def principal_from_claims(claims: InternalClaims) -> Principal:
    """The policy's view of the caller described by a token."""
    return Principal(
        subject=claims.subject,
        tenant_id=claims.tenant_id,
        roles=claims.roles,
        attributes=dict(claims.attributes),
    )


def verify_bearer(request: Request, verifier: TokenVerifier, *, realm: str) -> InternalClaims:
    """The claims of the request's bearer token; a 401 problem when absent or not valid."""
    challenge = {"WWW-Authenticate": f'Bearer realm="{realm}"'}
    token = bearer_token(request)
    if token is None:
        raise ProblemError(401, detail="a bearer token is required", headers=challenge)
    try:
        return verifier.verify(token)
    except InvalidToken as exc:
        raise ProblemError(401, "invalid-token", str(exc), headers=challenge) from exc


async def authenticate(request: Request) -> Principal:
    """Verify the caller's internal token for this service (every `/v1` route)."""
    claims = verify_bearer(request, request.app.state.token_verifier, realm="finfleet-internal")
    principal = principal_from_claims(claims)
    request.state.principal = principal
    bind_tenant(principal.tenant_id)
    request.state.caller = claims.issuer
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require_tenant(principal: Principal, acting: str) -> str:
    """The caller's tenant; a 403 `tenant-required` problem when the token names none."""
    if not principal.tenant_id:
        raise ProblemError(403, "tenant-required", f"{acting} act for a tenant")
    return principal.tenant_id
