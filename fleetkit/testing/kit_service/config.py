"""Settings of the kit's test service."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from fleetkit.settings import BaseFleetSettings


class Settings(BaseFleetSettings):
    model_config = SettingsConfigDict(env_prefix="KIT_", extra="ignore")
    service_name: ClassVar[str] = "ledger"
