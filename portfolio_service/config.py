"""Settings of the portfolio service (environment prefix `PORTFOLIO_`)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from fleetkit.settings import BaseFleetSettings


class Settings(BaseFleetSettings):
    model_config = SettingsConfigDict(env_prefix="PORTFOLIO_", extra="ignore")
    service_name: ClassVar[str] = "portfolio"

    database_url: SecretStr = SecretStr(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/finfleet_portfolio"
    )
    redis_url: SecretStr = SecretStr("redis://127.0.0.1:6379/2")
    refresh_token_days: int = 30
    invitation_days: int = 7
    # Requests per principal (user or API key) per minute, and sign-in attempts per e-mail.
    rate_limit_per_minute: int = 600
    # Total deadline of a valuation's fan-out to the pricing services, in seconds.
    valuation_deadline_seconds: float = 5.0


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
