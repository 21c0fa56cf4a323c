"""Settings of the fixed_income service (environment prefix `FIXED_INCOME_`)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from fleetkit.settings import BaseFleetSettings


class Settings(BaseFleetSettings):
    model_config = SettingsConfigDict(env_prefix="FIXED_INCOME_", extra="ignore")
    service_name: ClassVar[str] = "fixed_income"

    database_url: SecretStr = SecretStr(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/finfleet_fixed_income"
    )
    redis_url: SecretStr = SecretStr("redis://127.0.0.1:6379/4")
    # Analytics batches larger than this run as a Celery job with progress.
    sync_batch_limit: int = 10_000


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
