"""The fleet as real processes under the chaos suite's own supervisor (tests/chaos/supervisor.py):
every Procfile.dev process plus the fleet's Redis, each restarted when it exits, so a test can
`kill -9` any of them and watch the fleet recover."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from fleetkit.testing.fleet import (
    ROOT,
    Fleet,
    fleet_environment,
    free_port,
    fresh_databases,
    migrate_all,
    redis_command,
    relocated_procfile,
    wait_for_port,
    wait_until_ready,
)
from fleetkit.testing.plugin import DB_PREFIX
from tests.chaos.supervisor import REDIS, SupervisedFleet, Supervisor, read_procfile

CHAOS_PREFIX = f"{DB_PREFIX}_chaos"


@pytest.fixture(scope="session")
def supervised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SupervisedFleet]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is required for the chaos suite (apt-get install redis-server)")
    workdir = tmp_path_factory.mktemp("chaos")
    fleet = Fleet.on_free_ports(workdir)
    fleet.redis_port = free_port()
    fleet.databases = fresh_databases(CHAOS_PREFIX)
    env = fleet_environment(fleet)
    migrate_all(env)
    procfile = relocated_procfile(fleet, workdir)
    log = fleet.log_path.open("ab")
    supervisor = Supervisor(ROOT, log)
    supervisor.add(REDIS, redis_command(fleet.redis_port, workdir, durable=True), env)
    wait_for_port(fleet.redis_port)
    for name, (argv, assignments) in read_procfile(procfile).items():
        supervisor.add(name, argv, {**env, **assignments})
    supervisor.run()
    try:
        wait_until_ready(fleet, lambda: True)
        yield SupervisedFleet(fleet, supervisor)
    finally:
        supervisor.stop()
        log.close()
