"""Every service boots with the kit's defaults on its own migrated database.

One module for all six, parametrized by service package, so a change to the shared shape is
tested everywhere at once; each service's own behaviour is tested in its `tests/`.
"""

import pytest
from sqlalchemy import text

from fleetkit.settings import SERVICES, FleetSettings
from fleetkit.testing.keys import FleetKeys


@pytest.fixture(params=[f"{service}_service" for service in SERVICES])
def service_package(request):
    return request.param


def settings_class(package):
    import importlib

    return importlib.import_module(f"{package}.config").Settings


async def test_ready_checks_postgres_and_redis(client):
    response = await client.get("/ready")

    assert response.status_code == 200
    assert response.json()["checks"] == {"postgres": "ok", "redis": "ok"}


async def test_business_routes_refuse_calls_without_a_token(client):
    response = await client.post("/v1/probes", json={"message": "hi"})

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_token_for_another_service_is_refused(client, auth_headers, settings):
    other = next(service for service in SERVICES if service != settings.service_name)

    response = await client.post(
        "/v1/probes", json={"message": "hi"}, headers=auth_headers(audience=other)
    )

    assert response.status_code == 401


async def test_probe_is_written_to_the_services_outbox(client, auth_headers, engine, settings):
    response = await client.post("/v1/probes", json={"message": "hi"}, headers=auth_headers())

    assert response.status_code == 202
    async with engine.connect() as connection:
        stream = await connection.scalar(text("SELECT stream FROM outbox"))
    assert stream == f"fleet.{settings.service_name}"


def test_production_refuses_a_placeholder_signing_key(service_package):
    keys = FleetKeys.generate()
    fleet = FleetSettings(env="production", jwt_public_keys=keys.public_keys_setting())

    with pytest.raises(ValueError, match=r"placeholder.*JWT_PRIVATE_KEY"):
        settings_class(service_package)(jwt_private_key="change-me", fleet=fleet)


def test_production_accepts_real_secrets(service_package):
    keys = FleetKeys.generate()
    fleet = FleetSettings(env="production", jwt_public_keys=keys.public_keys_setting())
    cls = settings_class(service_package)

    settings = cls(jwt_private_key=keys.private_key(cls.service_name), fleet=fleet)

    assert settings.is_production


def test_reads_its_own_environment_prefix(service_package, monkeypatch):
    cls = settings_class(service_package)
    monkeypatch.setenv(f"{cls.service_name.upper()}_REDIS_URL", "redis://cache.internal:6379/0")

    assert cls().redis_url.get_secret_value() == "redis://cache.internal:6379/0"
