"""Passwords (argon2id) and opaque secrets (refresh tokens, API keys, invitations)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 "low memory" profile
# Verified when the e-mail is unknown, so that a miss costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password anybody has")


def hash_password(password: str) -> str:
    """The argon2id hash of a password (salted, parameters encoded in the string)."""
    return _hasher.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Whether `password` is the one behind `stored_hash` (None: an unknown user, always no)."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_secret(prefix: str) -> str:
    """A random bearer secret (256 bits) with a readable prefix (`rt_`, `ffk_`, `inv_`)."""
    return f"{prefix}{secrets.token_urlsafe(32)}"


def secret_digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret: what is stored and looked up.

    Argon2 is for guessable passwords; a 256-bit random secret cannot be brute-forced, and a
    fast digest lets an API key be checked on every request.
    """
    return hashlib.sha256(secret.encode()).hexdigest()
