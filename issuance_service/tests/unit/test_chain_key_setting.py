"""Production refuses the chain key everyone knows (anvil's first account) and placeholders."""

from __future__ import annotations

import pytest

from fleetkit.settings import FleetSettings
from fleetkit.testing.keys import FleetKeys
from issuance_service.config import ANVIL_DEV_KEY, Settings


def production_settings(chain_key: str) -> Settings:
    keys = FleetKeys.generate()
    return Settings(
        database_url="postgresql+asyncpg://app:secret@db/issuance",
        redis_url="redis://redis:6379/0",
        jwt_private_key=keys.private_key("issuance"),
        chain_private_key=chain_key,
        fleet=FleetSettings(env="production", jwt_public_keys=keys.public_keys_setting()),
    )


@pytest.mark.parametrize(
    "key", [ANVIL_DEV_KEY, ANVIL_DEV_KEY.upper().replace("0X", "0x"), "change-me"]
)
def test_production_refuses_the_public_dev_key_and_placeholders(key):
    # pydantic wraps the settings' SettingsError (a ValueError) in its ValidationError
    with pytest.raises(ValueError, match="ISSUANCE_CHAIN_PRIVATE_KEY"):
        production_settings(key)


def test_production_takes_a_key_of_its_own():
    own = "0x" + "12" * 32
    chain_key = production_settings(own).chain_private_key
    assert chain_key is not None
    assert chain_key.get_secret_value() == own
