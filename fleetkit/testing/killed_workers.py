"""For tests that kill a real Celery worker at the worst moment of a money movement.

`HeldAnswers` wraps the ledger app: once armed, it lets the ledger commit a new transaction
but holds the answer back, so the test can kill the worker after the ledger has the posting
and before the worker knows it. `serve_held_ledger` runs that ledger as a real HTTP server
(uvicorn on a free port, in a thread); `start_worker` runs a service's worker as its own
process pointed at it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from fleetkit.settings import BaseFleetSettings
from fleetkit.testing.keys import FleetKeys


class HeldAnswers:
    """Wraps the ledger: once armed, the answer to a new transaction is held back after the
    ledger committed it, until released (the caller sees nothing yet)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.armed = False
        self.arrived = threading.Event()
        self.release = threading.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not (self.armed and scope["type"] == "http" and scope["path"] == "/v1/transactions"):
            await self.app(scope, receive, send)
            return

        async def held(message: Any) -> None:
            if message["type"] == "http.response.start":
                self.arrived.set()
                await asyncio.to_thread(self.release.wait, 120)
            await send(message)

        await self.app(scope, receive, held)


@contextmanager
def serve_held_ledger(ledger_app: Any) -> Iterator[tuple[str, HeldAnswers]]:
    """`ledger_app` behind `HeldAnswers` as a real HTTP server; yields its URL and the wrapper."""
    wrapper = HeldAnswers(ledger_app)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(wrapper, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", wrapper
    finally:
        wrapper.release.set()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def start_worker(
    package: str, settings: BaseFleetSettings, keys: FleetKeys, ledger_url: str
) -> subprocess.Popen[bytes]:
    """`<package>.worker` as a Celery worker process (solo pool) on the test's database and
    Redis, calling the ledger at `ledger_url`."""
    prefix = str(type(settings).model_config.get("env_prefix", ""))
    env = {
        **os.environ,
        f"{prefix}DATABASE_URL": settings.database_url.get_secret_value(),
        f"{prefix}REDIS_URL": settings.redis_url.get_secret_value(),
        f"{prefix}JWT_PRIVATE_KEY": keys.private_key(settings.service_name),
        f"{prefix}WORKER_METRICS_PORT": "0",
        "FLEET_ENV": "test",
        "FLEET_LEDGER_URL": ledger_url,
        "FLEET_BUS_REDIS_URL": settings.fleet.bus_redis_url,
        "FLEET_JWT_PUBLIC_KEYS": keys.public_keys_setting(),
    }
    command = [
        sys.executable, "-m", "celery", "-A", f"{package}.worker", "worker",
        "--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    return subprocess.Popen(  # noqa: S603 - our own worker, argument list built here
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
