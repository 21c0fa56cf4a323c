"""Settings of the issuance service (environment prefix `ISSUANCE_`)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from fleetkit.settings import BaseFleetSettings


class Settings(BaseFleetSettings):
    model_config = SettingsConfigDict(env_prefix="ISSUANCE_", extra="ignore")
    service_name: ClassVar[str] = "issuance"

    database_url: SecretStr = SecretStr(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/finfleet_issuance"
    )
    redis_url: SecretStr = SecretStr("redis://127.0.0.1:6379/7")
    # The platform's fee on a successful campaign's proceeds, unless the campaign names one.
    platform_fee_bps: int = 500
    # How often beat looks for campaigns whose deadline has come.
    close_interval_seconds: float = 30.0
    # The chain: any EVM JSON-RPC node (FLEET_CHAIN_RPC_URL, in `fleet`); the certificate
    # contract; the signing key (a secret, from the environment only). Without a contract
    # address or a key, mints wait as intents.
    chain_contract_address: str | None = None
    chain_private_key: SecretStr | None = None
    chain_confirmations: int = 2
    chain_interval_seconds: float = 5.0


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
