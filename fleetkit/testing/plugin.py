"""pytest plugin: a migrated real Postgres database per service and test worker, real Redis.

A service's `tests/conftest.py` names its package:

    @pytest.fixture(scope="session")
    def service_package() -> str:
        return "ledger_service"

and its tests get `settings`, `db_session` (rolled back after each test), `app` and `client`
(real committing sessions; every table is truncated after the test), `redis`, `bus`,
`fleet_keys` and `mint_token`. Postgres and Redis come from `TEST_POSTGRES_URL`
(default `postgresql://postgres@127.0.0.1:5432/postgres`) and `TEST_REDIS_URL`
(default `redis://127.0.0.1:6379`); Redis databases 10 and up are used, one per test worker.
Two checkouts tested at once on one machine keep apart with `TEST_DB_PREFIX` (database names,
default `test`; the e2e suite uses `<prefix>_e2e` unless it is `test`) and
`TEST_REDIS_FIRST_DB` (default 10).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from fleetkit.internal_jwt import TokenMinter
from fleetkit.redis_clients import make_redis
from fleetkit.settings import BaseFleetSettings, FleetSettings
from fleetkit.testing.keys import FleetKeys
from fleetkit.testing.killed_workers import HeldAnswers, serve_held_ledger

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_BASE = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
FIRST_REDIS_DB = int(os.environ.get("TEST_REDIS_FIRST_DB", "10"))
DB_PREFIX = os.environ.get("TEST_DB_PREFIX", "test")


def _worker_number(worker_id: str) -> int:
    return int(worker_id.removeprefix("gw")) if worker_id.startswith("gw") else 0


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    """The pytest-xdist worker ("gw0", ...) or "main" without xdist."""
    return str(getattr(request.config, "workerinput", {}).get("workerid", "main"))


@pytest.fixture(scope="session")
def service_package() -> str:
    """Overridden by each service's conftest; the kit's own tests use a kit-only service."""
    return "fleetkit.testing.kit_service"


@pytest.fixture(scope="session")
def fleet_keys() -> FleetKeys:
    return FleetKeys.generate()


def recreate_database(name: str) -> str:
    """Drop and create database `name`; returns its sync (psycopg) URL."""
    admin = create_engine(
        make_url(ADMIN_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return (
        make_url(ADMIN_URL)
        .set(drivername="postgresql+psycopg", database=name)
        .render_as_string(hide_password=False)
    )


def migrate(package: str, sync_url: str) -> None:
    """Run `alembic upgrade head` of `package` against `sync_url`."""
    ini = Path(importlib.import_module(package).__file__ or "").parent / "alembic.ini"
    config = Config(str(ini))
    engine = create_engine(sync_url, poolclass=NullPool)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()


class TestResources:
    """What this test worker has set up, per service package, created on first use.

    Session-scoped fixtures are cached once per session whatever package asks, so the
    per-package database, settings and engine are kept here, keyed by package.
    """

    def __init__(self, worker_id: str, keys: FleetKeys):
        self.worker_id = worker_id
        self.keys = keys
        self._urls: dict[str, str] = {}
        self._settings: dict[str, BaseFleetSettings] = {}
        self._engines: dict[str, AsyncEngine] = {}

    def database_url(self, package: str) -> str:
        """A freshly migrated database for `package` on this worker (asyncpg URL)."""
        if package not in self._urls:
            short = package.rsplit(".", 1)[-1].removesuffix("_service")
            sync_url = recreate_database(f"{DB_PREFIX}_{short}_{self.worker_id}")
            migrate(package, sync_url)
            self._urls[package] = (
                make_url(sync_url)
                .set(drivername="postgresql+asyncpg")
                .render_as_string(hide_password=False)
            )
        return self._urls[package]

    def redis_urls(self) -> tuple[str, str]:
        """(service Redis, bus Redis) URLs private to this test worker.

        Both live in one Redis database per worker (10 + worker number, so up to six workers
        fit in Redis's default sixteen databases); Celery's keys and the `fleet.*` streams
        do not collide.
        """
        url = f"{REDIS_BASE}/{FIRST_REDIS_DB + _worker_number(self.worker_id)}"
        return url, url

    def settings(self, package: str) -> BaseFleetSettings:
        """The package's Settings on its test database and Redis, with this run's keys."""
        if package not in self._settings:
            settings_class: type[BaseFleetSettings] = importlib.import_module(
                f"{package}.config"
            ).Settings
            service_redis, bus_redis = self.redis_urls()
            fleet = FleetSettings(
                env="test", bus_redis_url=bus_redis, jwt_public_keys=self.keys.public_keys_setting()
            )
            self._settings[package] = settings_class(
                database_url=self.database_url(package),
                redis_url=service_redis,
                jwt_private_key=self.keys.private_key(settings_class.service_name),
                fleet=fleet,
            )
        return self._settings[package]

    def engine(self, package: str) -> AsyncEngine:
        """A pool-less engine on the package's test database."""
        if package not in self._engines:
            url = self.settings(package).database_url.get_secret_value()
            self._engines[package] = create_async_engine(url, poolclass=NullPool)
        return self._engines[package]

    async def close(self) -> None:
        for engine in self._engines.values():
            await engine.dispose()


@pytest.fixture(scope="session")
async def test_resources(worker_id: str, fleet_keys: FleetKeys) -> AsyncIterator[TestResources]:
    resources = TestResources(worker_id, fleet_keys)
    yield resources
    await resources.close()


@pytest.fixture
def settings(service_package: str, test_resources: TestResources) -> BaseFleetSettings:
    """The service's Settings pointed at the test database and Redis, with fresh keys."""
    return test_resources.settings(service_package)


@pytest.fixture
def engine(service_package: str, test_resources: TestResources) -> AsyncEngine:
    """An engine on the service's migrated test database."""
    return test_resources.engine(service_package)


@pytest.fixture
async def db_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session inside a transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


async def truncate_all(engine: AsyncEngine) -> None:
    """Empty every table but Alembic's, for tests whose writes really commit."""
    async with engine.begin() as connection:
        tables = (
            (
                await connection.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename <> 'alembic_version'"
                    )
                )
            )
            .scalars()
            .all()
        )
        if tables:
            await connection.execute(
                text(
                    "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
                )
            )


@pytest.fixture
async def committed(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """For tests that commit for real: every table is emptied afterwards."""
    yield engine
    await truncate_all(engine)


@pytest.fixture
async def redis(settings: BaseFleetSettings) -> AsyncIterator[Any]:
    """The service's own Redis database, emptied before the test."""
    client = make_redis(settings.redis_url.get_secret_value())
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture
async def bus(settings: BaseFleetSettings) -> AsyncIterator[Any]:
    """The shared event-bus Redis database, emptied before the test."""
    client = make_redis(settings.fleet.bus_redis_url)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture
def mint_token(fleet_keys: FleetKeys, settings: BaseFleetSettings) -> Callable[..., str]:
    """`mint_token(subject=..., tenant_id=..., roles=..., issuer="portfolio", audience=...)`."""

    def mint(
        *,
        subject: str = "user-1",
        tenant_id: str | None = "tenant-a",
        roles: frozenset[str] = frozenset({"owner"}),
        issuer: str = "portfolio",
        audience: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> str:
        minter = TokenMinter(issuer, fleet_keys.seeds[issuer])
        return minter.mint(
            audience or settings.service_name,
            subject=subject,
            tenant_id=tenant_id,
            roles=roles,
            attributes=attributes,
        )

    return mint


@pytest.fixture
async def app(
    service_package: str, settings: BaseFleetSettings, committed: AsyncEngine, redis: Any, bus: Any
) -> AsyncIterator[Any]:
    """The service's app on the test database (real commits, truncated afterwards)."""
    application = importlib.import_module(f"{service_package}.main").create_app(settings)
    yield application
    await close_app(application)


async def close_app(application: Any) -> None:
    """Release what a service's app holds: its closers (HTTP clients), Redis, bus and engine."""
    for close in getattr(application.state, "closers", ()):
        await close()
    await application.state.redis.aclose()
    await application.state.bus.aclose()
    await application.state.engine.dispose()


@pytest.fixture
async def ledger_app(test_resources: TestResources, redis: Any, bus: Any) -> AsyncIterator[Any]:
    """The real ledger app on this worker's ledger test database, for services that move money
    (reach it in-process with `httpx.ASGITransport(app=ledger_app)`); truncated afterwards."""
    application = importlib.import_module("ledger_service.main").create_app(
        test_resources.settings("ledger_service")
    )
    yield application
    await close_app(application)
    await truncate_all(test_resources.engine("ledger_service"))


@pytest.fixture
async def app_on_ledger(
    service_package: str,
    settings: BaseFleetSettings,
    ledger_app: Any,
    committed: AsyncEngine,
    redis: Any,
    bus: Any,
) -> AsyncIterator[Any]:
    """The service's app on its test database whose ledger client calls the real ledger app
    in-process (real commits on both, truncated afterwards)."""
    import httpx

    create_app = importlib.import_module(f"{service_package}.main").create_app
    application = create_app(settings, ledger_transport=httpx.ASGITransport(app=ledger_app))
    yield application
    await close_app(application)


@pytest.fixture
def ledger_tenant() -> str:
    """The tenant the `ledger` client acts for by default; a service's conftest overrides it."""
    return "acme"


@pytest.fixture
async def ledger(
    ledger_app: Any, mint_token: Callable[..., str], ledger_tenant: str
) -> AsyncIterator[Any]:
    """A client of the real ledger app acting as a tenant's owner (onboarding, deposits,
    checks): `ledger.owner_headers(tenant=ledger_tenant)` are its headers."""
    import httpx

    def owner_headers(tenant: str = ledger_tenant) -> dict[str, str]:
        token = mint_token(audience="ledger", tenant_id=tenant, roles=frozenset({"owner"}))
        return {"Authorization": f"Bearer {token}"}

    transport = httpx.ASGITransport(app=ledger_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ledger") as client:
        client.owner_headers = owner_headers  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def ledger_server(test_resources: TestResources) -> Iterator[tuple[str, HeldAnswers]]:
    """The real ledger as an HTTP server on a free port (its own app on the worker's ledger
    test database), whose answers a test can hold back (`fleetkit.testing.killed_workers`)."""
    ledger = importlib.import_module("ledger_service.main").create_app(
        test_resources.settings("ledger_service")
    )
    with serve_held_ledger(ledger) as served:
        yield served


@pytest.fixture
async def client(app: Any) -> AsyncIterator[Any]:
    """An httpx client calling the app in-process."""
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
def auth_headers(mint_token: Callable[..., str]) -> Callable[..., dict[str, str]]:
    """Headers carrying a valid internal token for this service."""

    def headers(**claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(**claims)}"}

    return headers
