"""Tokens an attacker could present to a service: each one wrong in exactly one way.

Every forgery starts from what a genuine token for the target would say (its audience, the
gateway as issuer and signer, a tenant and an admin role) and breaks one thing, so a refusal
can only come from that one thing.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fleetkit.internal_jwt import ALGORITHM
from fleetkit.testing.keys import FleetKeys

SIGNER = "portfolio"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims_for(audience: str, **changes: Any) -> dict[str, Any]:
    """What a genuine gateway token for `audience` carries, with `changes` applied."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": SIGNER,
        "aud": audience,
        "sub": "00000000-0000-7000-8000-000000000001",
        "tenant": "00000000-0000-7000-8000-000000000002",
        "roles": ["admin", "owner"],
        "attrs": {},
        "iat": now,
        "nbf": now - 5,
        "exp": now + 60,
        "jti": secrets.token_hex(8),
    }
    claims.update(changes)
    return claims


def signed(keys: FleetKeys, claims: dict[str, Any], *, kid: str = SIGNER) -> str:
    """`claims` signed with the fleet key of `kid`'s service, as a genuine token is."""
    key = Ed25519PrivateKey.from_private_bytes(keys.seeds[SIGNER])
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid})


def _unsigned(claims: dict[str, Any]) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": SIGNER}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


def _tampered(keys: FleetKeys, audience: str) -> str:
    # A genuine viewer token whose payload is rewritten to say admin; the signature is kept.
    header, _, signature = signed(keys, claims_for(audience, roles=["viewer"])).split(".")
    payload = _b64(json.dumps(claims_for(audience, roles=["admin"])).encode())
    return f"{header}.{payload}.{signature}"


def _hs256_with_public_key(keys: FleetKeys, audience: str) -> str:
    # The classic key-confusion attack: a MAC keyed with the signer's published public key.
    from fleetkit.internal_jwt import public_key_of

    secret = public_key_of(keys.seeds[SIGNER])
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": SIGNER}).encode())
    payload = _b64(json.dumps(claims_for(audience)).encode())
    import hashlib
    import hmac

    mac = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(mac)}"


def _another_key(audience: str) -> str:
    stranger = Ed25519PrivateKey.from_private_bytes(secrets.token_bytes(32))
    return jwt.encode(claims_for(audience), stranger, algorithm=ALGORITHM, headers={"kid": SIGNER})


FORGERIES: dict[str, Callable[[FleetKeys, str], str]] = {
    "wrong audience": lambda keys, aud: signed(keys, claims_for(f"not-{aud}")),
    "expired": lambda keys, aud: signed(
        keys, claims_for(aud, iat=int(time.time()) - 200, exp=int(time.time()) - 100)
    ),
    "not yet valid": lambda keys, aud: signed(keys, claims_for(aud, nbf=int(time.time()) + 100)),
    "re-signed with another key": lambda keys, aud: _another_key(aud),
    "alg none": lambda keys, aud: _unsigned(claims_for(aud)),
    "hs256 keyed with the public key": _hs256_with_public_key,
    "issuer is not the signer": lambda keys, aud: signed(keys, claims_for(aud, iss="ledger")),
    "unknown kid": lambda keys, aud: signed(keys, claims_for(aud), kid="mallory"),
    "tampered payload": _tampered,
    "lifetime beyond the maximum": lambda keys, aud: signed(
        keys, claims_for(aud, exp=int(time.time()) + 3600)
    ),
    "garbage": lambda keys, aud: "not.a.token",
}
"""Name of the defect → a token for the target audience carrying only that defect."""
