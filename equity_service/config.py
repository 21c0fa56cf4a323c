"""Settings of the equity service (environment prefix `EQUITY_`)."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from functools import lru_cache
from typing import ClassVar

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from fleetkit.settings import BaseFleetSettings


class Settings(BaseFleetSettings):
    model_config = SettingsConfigDict(env_prefix="EQUITY_", extra="ignore")
    service_name: ClassVar[str] = "equity"

    database_url: SecretStr = SecretStr(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/finfleet_equity"
    )
    redis_url: SecretStr = SecretStr("redis://127.0.0.1:6379/3")
    # The paper venue: commission, slippage against the quote, the simulated spread.
    fee_bps: Decimal = Decimal(0)
    slippage_bps: Decimal = Decimal(0)
    spread_bps: Decimal = Decimal(10)
    # A market buy reserves qty x ask x (1 + buffer): room for the price to move before it fills.
    market_buffer_bps: Decimal = Decimal(500)
    # Day orders expire at the close (UTC): 20:00 is 16:00 in New York in summer time.
    market_close_utc: time = time(20, 0)
    feed_seed: int = 42
    # Wake the worker after each request that queued ledger instructions (beat sweeps anyway).
    settle_nudge: bool = True
    feed_interval_seconds: float = 5.0


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
