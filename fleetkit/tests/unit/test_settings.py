"""Settings: production refuses placeholder or missing secrets; development runs on defaults."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from pydantic import ValidationError

from fleetkit.internal_jwt import public_key_of
from fleetkit.settings import SERVICES, BaseFleetSettings, FleetSettings, SettingsError
from fleetkit.testing.kit_service.config import Settings


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# Fixed bytes, so parametrized test ids are the same in every pytest-xdist worker.
SEED = bytes(range(32))
PUBLIC_KEYS = ",".join(f"{name}:{b64url(public_key_of(SEED))}" for name in SERVICES)
REAL_VALUES: dict[str, Any] = {
    "database_url": "postgresql+asyncpg://ledger:s3cret@db.internal:5432/ledger",
    "redis_url": "redis://redis.internal:6379/5",
    "jwt_private_key": b64url(SEED),
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No FLEET_* or KIT_* variable of the developer's shell leaks into these tests."""
    for name in list(os.environ):
        if name.startswith(("FLEET_", "KIT_")) or name in {
            "DATABASE_URL",
            "REDIS_URL",
            "JWT_PRIVATE_KEY",
        }:
            monkeypatch.delenv(name)


def production(**overrides: Any) -> Settings:
    fleet = FleetSettings(env="production", jwt_public_keys=PUBLIC_KEYS)
    return Settings(**{**REAL_VALUES, **overrides}, fleet=fleet)


def test_development_accepts_the_defaults():
    settings = Settings()

    assert settings.fleet.env == "development"
    assert not settings.is_production
    assert settings.signing_key() is None
    assert settings.fleet.public_keys() == {}


def test_development_accepts_placeholder_keys_and_treats_them_as_unset():
    settings = Settings(jwt_private_key="change-me", fleet=FleetSettings(jwt_public_keys=""))

    assert settings.signing_key() is None


def test_production_accepts_real_values():
    settings = production()

    assert settings.is_production
    assert settings.signing_key() == SEED
    assert settings.fleet.public_keys()["ledger"] == public_key_of(SEED)


@pytest.mark.parametrize(
    ("field", "env_name"),
    [
        ("database_url", "DATABASE_URL"),
        ("redis_url", "REDIS_URL"),
        ("jwt_private_key", "JWT_PRIVATE_KEY"),
    ],
)
@pytest.mark.parametrize("bad", ["", "change-me", "CHANGE-ME", "postgresql://u:change-me@h/d"])
def test_production_refuses_a_placeholder_or_empty_secret(field: str, env_name: str, bad: str):
    with pytest.raises(ValidationError, match=f"production mode refuses .*{env_name}"):
        production(**{field: bad})


def test_production_names_every_bad_secret_at_once():
    with pytest.raises(ValidationError, match="DATABASE_URL, JWT_PRIVATE_KEY, REDIS_URL"):
        production(database_url="", redis_url="change-me", jwt_private_key="")


@pytest.mark.parametrize("bad", ["", "change-me", ",".join(f"{s}:change-me" for s in SERVICES)])
def test_production_refuses_placeholder_or_empty_public_keys(bad: str):
    with pytest.raises(ValidationError, match="FLEET_JWT_PUBLIC_KEYS"):
        FleetSettings(env="production", jwt_public_keys=bad)


def test_production_is_refused_from_the_environment_too(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FLEET_ENV", "production")
    monkeypatch.setenv("FLEET_JWT_PUBLIC_KEYS", PUBLIC_KEYS)
    monkeypatch.setenv("KIT_DATABASE_URL", REAL_VALUES["database_url"])
    monkeypatch.setenv("KIT_REDIS_URL", REAL_VALUES["redis_url"])
    monkeypatch.setenv("KIT_JWT_PRIVATE_KEY", "change-me")

    with pytest.raises(ValidationError, match="JWT_PRIVATE_KEY"):
        Settings()


def test_production_reads_real_values_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FLEET_ENV", "production")
    monkeypatch.setenv("FLEET_JWT_PUBLIC_KEYS", PUBLIC_KEYS)
    monkeypatch.setenv("KIT_DATABASE_URL", REAL_VALUES["database_url"])
    monkeypatch.setenv("KIT_REDIS_URL", REAL_VALUES["redis_url"])
    monkeypatch.setenv("KIT_JWT_PRIVATE_KEY", REAL_VALUES["jwt_private_key"])

    settings = Settings()

    assert settings.is_production
    assert settings.database_url.get_secret_value() == REAL_VALUES["database_url"]
    assert settings.signing_key() == SEED


@pytest.mark.parametrize(
    ("bad_key", "message"),
    [
        ("not-base64!", "ledger JWT private key is not base64url"),
        (b64url(bytes(16)), "must be 32 bytes, got 16"),
        (b64url(bytes(64)), "must be 32 bytes, got 64"),
    ],
)
def test_production_refuses_a_malformed_private_key(bad_key: str, message: str):
    with pytest.raises(ValidationError, match=message):
        production(jwt_private_key=bad_key)


def test_production_refuses_a_malformed_public_key_list():
    fleet = FleetSettings(env="production", jwt_public_keys="ledger")

    with pytest.raises(ValidationError, match="'ledger' is not name:key"):
        Settings(**REAL_VALUES, fleet=fleet)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("ledger", "FLEET_JWT_PUBLIC_KEYS entry 'ledger' is not name:key"),
        ("ledger:", "FLEET_JWT_PUBLIC_KEYS entry 'ledger' is not name:key"),
        ("ledger:change-me", "FLEET_JWT_PUBLIC_KEYS entry 'ledger' is not name:key"),
        (f"ledger:{b64url(b'short')}", "public key of ledger must be 32 bytes, got 5"),
        ("ledger:@@@@", "public key of ledger must be 32 bytes, got 0"),
        (
            f"ledger:{b64url(public_key_of(SEED))},equity",
            "FLEET_JWT_PUBLIC_KEYS entry 'equity' is not name:key",
        ),
    ],
)
def test_a_malformed_public_key_list_is_refused_with_a_clear_message(setting: str, message: str):
    with pytest.raises(SettingsError) as refused:
        FleetSettings(jwt_public_keys=setting).public_keys()

    assert str(refused.value) == message


def test_a_public_key_list_tolerates_spaces_and_empty_entries():
    key = public_key_of(SEED)
    setting = f" ledger : {b64url(key)} ,, equity:{b64url(key)}, "

    assert FleetSettings(jwt_public_keys=setting).public_keys() == {"ledger": key, "equity": key}


@pytest.mark.parametrize("service", SERVICES)
def test_service_url_knows_every_service(service: str):
    assert FleetSettings().service_url(service).startswith("http://127.0.0.1:800")


def test_service_url_drops_a_trailing_slash():
    fleet = FleetSettings(ledger_url="http://ledger.internal:8003/")

    assert fleet.service_url("ledger") == "http://ledger.internal:8003"


def test_service_url_follows_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FLEET_FIXED_INCOME_URL", "http://bonds:8002")

    assert FleetSettings().service_url("fixed_income") == "http://bonds:8002"


@pytest.mark.parametrize("unknown", ["bonds", "gateway", "", "LEDGER"])
def test_service_url_fails_for_an_unknown_service(unknown: str):
    with pytest.raises(SettingsError, match=f"no URL configured for service {unknown!r}"):
        FleetSettings().service_url(unknown)


@pytest.mark.parametrize("not_a_service", ["bus_redis", "chain_rpc"])
def test_service_url_refuses_a_setting_that_is_not_a_service(not_a_service: str):
    with pytest.raises(SettingsError):
        FleetSettings().service_url(not_a_service)


def test_the_base_settings_refuse_placeholders_in_production_too():
    fleet = FleetSettings(env="production", jwt_public_keys=PUBLIC_KEYS)

    with pytest.raises(ValidationError, match="JWT_PRIVATE_KEY"):
        BaseFleetSettings(fleet=fleet)
