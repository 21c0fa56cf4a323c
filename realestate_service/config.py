"""Settings of the realestate service (environment prefix `REALESTATE_`)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from fleetkit.settings import BaseFleetSettings


class Settings(BaseFleetSettings):
    model_config = SettingsConfigDict(env_prefix="REALESTATE_", extra="ignore")
    service_name: ClassVar[str] = "realestate"

    database_url: SecretStr = SecretStr(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/finfleet_realestate"
    )
    redis_url: SecretStr = SecretStr("redis://127.0.0.1:6379/6")


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
