"""The faults the chaos run injects, each followed by a wait until the fleet has it back.

- `kill -9` of a supervised process group (an app, a worker with its embedded beat, a bus
  process with its relay and consumer, the chain node): the supervisor starts it again.
- the fleet's Redis (bus streams, Celery brokers, caches) killed and started again after a pause;
  it keeps an append-only file synced on every write, so acknowledged writes survive.
- every session of one service's Postgres database terminated (`pg_terminate_backend`): what
  clients see when their database restarts, without restarting the machine's shared cluster.
"""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import httpx
import psycopg
from sqlalchemy.engine import make_url

from fleetkit.testing.fleet import eventually, wait_for_port
from fleetkit.testing.plugin import ADMIN_URL
from tests.chaos.supervisor import REDIS, SupervisedFleet

REDIS_DOWN_SECONDS = 3.0
SETTLE_SECONDS = 1.0
# An app takes 10-40 s to start on a loaded 2-core machine: the next fault comes after this
# long even if it is not back yet, so faults overlap (and the run stays within its budget).
APP_PACE_SECONDS = 6.0


@dataclass
class Fault:
    name: str
    inject: Callable[[], None]


def kill_program(supervised: SupervisedFleet, name: str) -> None:
    old = supervised.supervisor.signal_group(name, signal.SIGKILL)
    supervised.supervisor.wait_restarted(name, old)
    if name.endswith("-app"):
        service = name.removesuffix("-app")
        eventually(lambda: _ready(supervised.fleet.url(service)), APP_PACE_SECONDS)
    else:
        time.sleep(SETTLE_SECONDS)


def restart_redis(supervised: SupervisedFleet) -> None:
    supervisor = supervised.supervisor
    supervisor.hold(REDIS)
    old = supervisor.signal_group(REDIS, signal.SIGKILL)
    supervisor.wait_exit(REDIS, old, 10)
    time.sleep(REDIS_DOWN_SECONDS)
    supervisor.release(REDIS)
    supervisor.wait_restarted(REDIS, old)
    wait_for_port(supervised.fleet.redis_port, 30)
    time.sleep(SETTLE_SECONDS)


def terminate_database_sessions(supervised: SupervisedFleet, service: str) -> None:
    database = make_url(supervised.fleet.databases[service]).database
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        )
    time.sleep(SETTLE_SECONDS)


def fault_plan(supervised: SupervisedFleet, seed: int) -> list[Fault]:
    """Every process killed once, Redis restarted, two databases' sessions cut: seeded order."""
    faults = [
        Fault(f"kill -9 {name}", partial(kill_program, supervised, name))
        for name in supervised.programs
    ]
    faults.append(Fault("redis restart", partial(restart_redis, supervised)))
    for service in ("ledger", "equity"):
        cut = partial(terminate_database_sessions, supervised, service)
        faults.append(Fault(f"postgres sessions of {service} terminated", cut))
    random.Random(seed).shuffle(faults)
    return faults


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
