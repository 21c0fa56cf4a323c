"""Ed25519 tokens between services: short-lived, audience-bound, algorithm pinned.

The gateway mints one per downstream call on behalf of a user; a service calling another
service mints one for itself. The `iss` (and `kid`) name the signing service, whose public key
every verifier knows from `FLEET_JWT_PUBLIC_KEYS`.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from fleetkit.ids import new_id

ALGORITHM = "EdDSA"
DEFAULT_TTL_SECONDS = 60
MAX_TTL_SECONDS = 300
CLOCK_SKEW_SECONDS = 5
VERIFIED_CACHE = 4096  # tokens remembered per verifier; the oldest is forgotten first


class InvalidToken(Exception):  # noqa: N818 - names the outcome, like NotFound
    """The token is missing, malformed, forged, expired or meant for another service."""


@dataclass(frozen=True)
class InternalClaims:
    """What a verified internal token says about the caller."""

    issuer: str
    audience: str
    subject: str
    tenant_id: str | None
    roles: frozenset[str]
    attributes: Mapping[str, str] = field(default_factory=dict)


class TokenMinter:
    """Signs internal tokens as one service."""

    def __init__(self, issuer: str, seed: bytes, *, ttl_seconds: int = DEFAULT_TTL_SECONDS):
        self.issuer = issuer
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self._ttl = ttl_seconds

    def mint(
        self,
        audience: str,
        *,
        subject: str,
        tenant_id: str | None = None,
        roles: frozenset[str] | set[str] = frozenset(),
        attributes: Mapping[str, str] | None = None,
    ) -> str:
        """A token for one call to `audience`, valid for the configured few seconds."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audience,
            "sub": subject,
            "tenant": tenant_id,
            "roles": sorted(roles),
            "attrs": dict(attributes or {}),
            "iat": now,
            "nbf": now - CLOCK_SKEW_SECONDS,
            "exp": now + self._ttl,
            "jti": str(new_id()),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self.issuer})


class TokenVerifier:
    """Checks internal tokens addressed to one service."""

    def __init__(
        self, audience: str, public_keys: Mapping[str, bytes], *, cache_size: int = VERIFIED_CACHE
    ):
        self.audience = audience
        self._keys = {
            name: Ed25519PublicKey.from_public_bytes(raw) for name, raw in public_keys.items()
        }
        # A caller that reuses its token (a service client) is verified once per token, not
        # once per request: a signature check is a third of a small request's CPU. The cache
        # holds only tokens that passed every check, keyed by their exact text, until expiry.
        self._verified: OrderedDict[str, tuple[InternalClaims, float]] = OrderedDict()
        self._cache_size = cache_size

    def verify(self, token: str) -> InternalClaims:
        """The claims of a valid token for this service, or InvalidToken."""
        cached = self._verified.get(token)
        if cached is not None:
            claims, expires = cached
            if time.time() < expires:
                return claims
            del self._verified[token]
        claims, expires = self._verify_signed(token)
        self._verified[token] = (claims, expires)
        if len(self._verified) > self._cache_size:
            self._verified.popitem(last=False)
        return claims

    def _verify_signed(self, token: str) -> tuple[InternalClaims, float]:
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, ValueError) as exc:  # UnicodeError is a ValueError
            raise InvalidToken("malformed token") from exc
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("algorithm not allowed")
        key = self._keys.get(str(header.get("kid", "")))
        if key is None:
            raise InvalidToken("unknown signer")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=header["kid"],
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if int(claims["exp"]) - int(claims["iat"]) > MAX_TTL_SECONDS:
            raise InvalidToken("token lifetime exceeds the fleet's maximum")
        verified = InternalClaims(
            issuer=claims["iss"],
            audience=self.audience,
            subject=str(claims["sub"]),
            tenant_id=claims.get("tenant"),
            roles=frozenset(claims.get("roles") or ()),
            attributes=MappingProxyType(
                {str(k): str(v) for k, v in (claims.get("attrs") or {}).items()}
            ),
        )
        return verified, float(claims["exp"]) + CLOCK_SKEW_SECONDS


def public_key_of(seed: bytes) -> bytes:
    """The raw 32-byte public key for an Ed25519 seed."""
    from cryptography.hazmat.primitives import serialization

    return (
        Ed25519PrivateKey.from_private_bytes(seed)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
