"""Fresh Ed25519 keys for a test run: one per service, never committed."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from fleetkit.internal_jwt import public_key_of
from fleetkit.settings import SERVICES


def b64url(raw: bytes) -> str:
    """Base64url without padding, the format of keys in the environment."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class FleetKeys:
    """Every service's signing seed and the matching public-key setting."""

    seeds: dict[str, bytes]

    @classmethod
    def generate(cls) -> FleetKeys:
        return cls({service: secrets.token_bytes(32) for service in SERVICES})

    def private_key(self, service: str) -> str:
        return b64url(self.seeds[service])

    def public_keys_setting(self) -> str:
        return ",".join(f"{s}:{b64url(public_key_of(seed))}" for s, seed in self.seeds.items())
