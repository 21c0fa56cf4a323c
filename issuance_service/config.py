"""Settings of the issuance service (environment prefix `ISSUANCE_`)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar, Self

from pydantic import SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from fleetkit.settings import BaseFleetSettings, SettingsError

# The signing key of anvil's first default account: public knowledge, fine on a dev chain,
# and a key anyone can spend from anywhere else.
ANVIL_DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


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

    @model_validator(mode="after")
    def _refuse_the_dev_chain_key_in_production(self) -> Self:
        key = self.chain_private_key.get_secret_value() if self.chain_private_key else ""
        if self.is_production and key.lower().removeprefix("0x") in (
            ANVIL_DEV_KEY.removeprefix("0x"),
            "change-me",
        ):
            raise SettingsError(
                "production mode refuses anvil's public dev key or a placeholder for "
                "ISSUANCE_CHAIN_PRIVATE_KEY"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
