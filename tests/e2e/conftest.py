"""The whole fleet as real processes, started the way `make dev` starts it.

One fixture per session: a private Redis server on a free port, fresh `e2e_*` databases on the
machine's Postgres, migrations applied with the services' own Alembic, fresh keys, and
`Procfile.dev` run under honcho with its ports moved to free ones (tests/fleet_processes.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator

import pytest

from fleetkit.testing.plugin import ADMIN_URL, DB_PREFIX
from tests.fleet_processes import (
    BIN,
    ROOT,
    SETTINGS,
    Fleet,
    fleet_environment,
    fresh_databases,
    migrate_all,
    relocated_procfile,
    start_redis,
    wait_until_ready,
)

E2E_PREFIX = "e2e" if DB_PREFIX == "test" else f"{DB_PREFIX}_e2e"


@pytest.fixture(scope="session")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    if shutil.which("redis-server") is None:
        pytest.fail(
            "redis-server is required for the end-to-end suite (apt-get install redis-server)"
        )
    workdir = tmp_path_factory.mktemp("fleet")
    redis, redis_port = start_redis(workdir)
    fleet = Fleet.on_free_ports(workdir)
    fleet.redis_port = redis_port
    fleet.databases = fresh_databases(E2E_PREFIX)
    env = fleet_environment(fleet)
    migrate_all(env)
    procfile = relocated_procfile(fleet, workdir)
    # honcho reads ./.env unless told otherwise: a developer's .env must not leak in.
    env_file = workdir / "fleet.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items() if k.startswith(SETTINGS)))
    with fleet.log_path.open("wb") as log:
        honcho = subprocess.Popen(
            [
                str(BIN / "honcho"),
                "-f",
                str(procfile),
                "-e",
                str(env_file),
                "-d",
                str(ROOT),
                "start",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_ready(fleet, lambda: honcho.poll() is None)
        yield fleet
    finally:
        os.killpg(honcho.pid, signal.SIGTERM)
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
        redis.terminate()
        redis.wait(timeout=10)


__all__ = ["ADMIN_URL", "Fleet"]
