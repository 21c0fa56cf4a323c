"""The ledger service refuses to start in production with placeholder secrets."""

import pytest

from fleetkit.settings import FleetSettings
from fleetkit.testing.keys import FleetKeys
from ledger_service.config import Settings


def test_production_refuses_a_placeholder_signing_key():
    keys = FleetKeys.generate()
    fleet = FleetSettings(env="production", jwt_public_keys=keys.public_keys_setting())
    with pytest.raises(ValueError, match=r"placeholder.*JWT_PRIVATE_KEY"):
        Settings(jwt_private_key="change-me", fleet=fleet)


def test_production_accepts_real_secrets():
    keys = FleetKeys.generate()
    fleet = FleetSettings(env="production", jwt_public_keys=keys.public_keys_setting())
    settings = Settings(jwt_private_key=keys.private_key("ledger"), fleet=fleet)
    assert settings.is_production


def test_reads_its_own_prefix(monkeypatch):
    monkeypatch.setenv("LEDGER_REDIS_URL", "redis://cache.internal:6379/0")
    assert Settings().redis_url.get_secret_value() == "redis://cache.internal:6379/0"
