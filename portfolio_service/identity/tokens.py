"""User access tokens and the authenticated caller.

Access tokens are Ed25519 JWTs signed by the gateway (issuer `portfolio`, audience
`finfleet-api`, five minutes), minted at sign-in and refresh.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fleetkit.internal_jwt import TokenMinter
from fleetkit.policy import Principal
from fleetkit.problems import ProblemError

PUBLIC_AUDIENCE = "finfleet-api"
ACCESS_TOKEN_TTL_SECONDS = 300
API_KEY_PREFIX = "ffk_"


def access_token_minter(issuer: str, seed: bytes) -> TokenMinter:
    """Signs user access tokens."""
    return TokenMinter(issuer, seed, ttl_seconds=ACCESS_TOKEN_TTL_SECONDS)


@dataclass(frozen=True)
class Caller:
    """The authenticated principal and, for an API key, what the key may do."""

    principal: Principal
    api_key_scopes: frozenset[str] | None = None

    @property
    def by_api_key(self) -> bool:
        return self.api_key_scopes is not None


def ids_of(principal: Principal) -> tuple[uuid.UUID, uuid.UUID]:
    """(tenant id, user id) of a signed-in user; 403 for a token the gateway's sign-in did not
    issue (a development token names a made-up user and tenant)."""
    try:
        return uuid.UUID(principal.tenant_id or ""), uuid.UUID(principal.subject)
    except ValueError as exc:
        raise ProblemError(403, "user-unknown", "this token names no user of ours") from exc


def require_scope(caller: Caller, scope: str) -> None:
    """Refuse an API key without `scope` (a user's token is limited by roles alone)."""
    if caller.api_key_scopes is not None and scope not in caller.api_key_scopes:
        raise ProblemError(403, "scope-missing", f"this API key lacks the {scope!r} scope")
