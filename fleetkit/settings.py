"""Settings every service shares, read from the environment and checked at start-up.

A service declares `class Settings(BaseFleetSettings)` with its own env prefix (`LEDGER_`);
fleet-wide values (`FLEET_*`) live in `FleetSettings`, reachable as `settings.fleet`.
"""

from __future__ import annotations

import base64
from typing import ClassVar, Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER = "change-me"

Environment = Literal["development", "test", "production"]

SERVICES = ("portfolio", "equity", "fixed_income", "ledger", "realestate", "issuance")
"""Every service's short name, in port order (8000..8005)."""


class SettingsError(ValueError):
    """A setting is missing, malformed or a placeholder where a real value is required."""


def _is_placeholder(value: str) -> bool:
    return not value or PLACEHOLDER in value.lower()


class FleetSettings(BaseSettings):
    """Values that are the same for every service (`FLEET_` prefix)."""

    model_config = SettingsConfigDict(env_prefix="FLEET_", extra="ignore", env_file=None)

    env: Environment = "development"
    bus_redis_url: str = "redis://127.0.0.1:6379/1"
    jwt_public_keys: str = ""
    portfolio_url: str = "http://127.0.0.1:8000"
    equity_url: str = "http://127.0.0.1:8001"
    fixed_income_url: str = "http://127.0.0.1:8002"
    ledger_url: str = "http://127.0.0.1:8003"
    realestate_url: str = "http://127.0.0.1:8004"
    issuance_url: str = "http://127.0.0.1:8005"
    chain_rpc_url: str = "http://127.0.0.1:8545"
    log_level: str = "INFO"

    def public_keys(self) -> dict[str, bytes]:
        """Every service's Ed25519 public key, by service short name."""
        keys: dict[str, bytes] = {}
        for item in filter(None, (part.strip() for part in self.jwt_public_keys.split(","))):
            name, sep, encoded = item.partition(":")
            if not sep or _is_placeholder(encoded):
                raise SettingsError(f"FLEET_JWT_PUBLIC_KEYS entry {name!r} is not name:key")
            keys[name.strip()] = decode_key(encoded, f"public key of {name}")
        return keys

    def service_url(self, short_name: str) -> str:
        """Base URL of a service by its short name (`ledger`, `fixed_income`, ...)."""
        if short_name not in SERVICES:
            raise SettingsError(
                f"no URL configured for service {short_name!r}: not one of {SERVICES}"
            )
        url: str = getattr(self, f"{short_name}_url")
        return url.rstrip("/")

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Self:
        if self.env != "production":
            return self
        if _is_placeholder(self.jwt_public_keys):
            raise SettingsError(
                "production mode refuses a placeholder or empty FLEET_JWT_PUBLIC_KEYS"
            )
        return self


def decode_key(encoded: str, what: str) -> bytes:
    """Decode a base64url (unpadded) 32-byte Ed25519 key."""
    try:
        raw = base64.urlsafe_b64decode(encoded.strip() + "=" * (-len(encoded.strip()) % 4))
    except ValueError as exc:
        raise SettingsError(f"{what} is not base64url") from exc
    if len(raw) != 32:
        raise SettingsError(f"{what} must be 32 bytes, got {len(raw)}")
    return raw


class BaseFleetSettings(BaseSettings):
    """Per-service settings; subclasses set `service_name` and the env prefix."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    service_name: ClassVar[str] = "fleet"
    database_url: SecretStr = SecretStr("postgresql+asyncpg://postgres@127.0.0.1:5432/finfleet")
    redis_url: SecretStr = SecretStr("redis://127.0.0.1:6379/0")
    jwt_private_key: SecretStr = SecretStr("")
    worker_metrics_port: int = 9100
    bus_metrics_port: int = 9101
    db_pool_size: int = 5
    fleet: FleetSettings = Field(default_factory=FleetSettings)

    @property
    def is_production(self) -> bool:
        return self.fleet.env == "production"

    def signing_key(self) -> bytes | None:
        """This service's Ed25519 seed, or None when not configured (development only)."""
        value = self.jwt_private_key.get_secret_value()
        if _is_placeholder(value):
            return None
        return decode_key(value, f"{self.service_name} JWT private key")

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Self:
        if not self.is_production:
            return self
        secrets = {
            "DATABASE_URL": self.database_url.get_secret_value(),
            "REDIS_URL": self.redis_url.get_secret_value(),
            "JWT_PRIVATE_KEY": self.jwt_private_key.get_secret_value(),
        }
        bad = sorted(name for name, value in secrets.items() if _is_placeholder(value))
        if bad:
            raise SettingsError(
                f"production mode refuses placeholder or empty values for {', '.join(bad)}"
            )
        self.signing_key()
        self.fleet.public_keys()
        return self
