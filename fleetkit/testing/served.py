"""A service as a real uvicorn process on a database of its own, for tests that speak HTTP.

Fuzzing and other black-box tests need the service as a client sees it: its own process,
its own event loop, real sockets. `served_service` migrates a fresh database (apart from the
worker's test database, which other tests truncate), starts `uvicorn --factory
<package>.main:create_app` on a free port with the settings in its environment, waits for
`/health`, and stops the process afterwards.
"""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from fleetkit.internal_jwt import TokenMinter
from fleetkit.settings import BaseFleetSettings
from fleetkit.testing.keys import FleetKeys

START_TIMEOUT_SECONDS = 60
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ServedService:
    """Where a served service answers, and how to speak to it."""

    name: str
    base_url: str
    database_url: str
    keys: FleetKeys

    def token(
        self,
        *,
        subject: str = "user-1",
        tenant_id: str | None = "tenant-a",
        roles: frozenset[str] = frozenset({"owner"}),
    ) -> str:
        """An internal token from the gateway for this service."""
        minter = TokenMinter("portfolio", self.keys.seeds["portfolio"])
        return minter.mint(self.name, subject=subject, tenant_id=tenant_id, roles=roles)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served_service(
    package: str,
    *,
    database_url: str,
    redis_url: str,
    keys: FleetKeys,
    extra_env: dict[str, str] | None = None,
) -> Iterator[ServedService]:
    """Run `package` under uvicorn on `database_url` (asyncpg URL, already migrated);
    `extra_env` adds settings (`FLEET_LEDGER_URL` of a served ledger, say)."""
    settings_class: type[BaseFleetSettings] = importlib.import_module(f"{package}.config").Settings
    prefix = str(settings_class.model_config.get("env_prefix", ""))
    port = free_port()
    env = {
        **os.environ,
        f"{prefix}DATABASE_URL": database_url,
        f"{prefix}REDIS_URL": redis_url,
        f"{prefix}JWT_PRIVATE_KEY": keys.private_key(settings_class.service_name),
        "FLEET_ENV": "test",
        "FLEET_BUS_REDIS_URL": redis_url,
        "FLEET_JWT_PUBLIC_KEYS": keys.public_keys_setting(),
        "FLEET_LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "uvicorn", "--factory", f"{package}.main:create_app",
               "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
               "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - our own uvicorn
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(process, base_url)
        yield ServedService(settings_class.service_name, base_url, database_url, keys)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def asyncpg_url(sync_url: str) -> str:
    """The asyncpg form of a psycopg database URL."""
    return make_url(sync_url).set(drivername="postgresql+asyncpg").render_as_string(False)


def _wait_until_healthy(process: subprocess.Popen[bytes], base_url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the service exited with status {process.returncode}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the service at {base_url} did not become healthy")
