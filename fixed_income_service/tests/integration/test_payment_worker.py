"""A real fixed income Celery worker pays a coupon through a real ledger HTTP server; killed
after the ledger posted the payment but before it recorded it, a restarted worker completes
it, and the ledger holds the payment once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import uvicorn
from sqlalchemy import text

from fixed_income_service.tests.acme_note import COUPON_DATES, trade
from fleetkit.celery_app import make_celery

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
TASK = "fixed_income.pay_due_bond_payments"


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


@pytest.fixture
def ledger_server(test_resources) -> Iterator[tuple[str, HeldAnswers]]:
    """The ledger as a real HTTP server on a free port (its own app on the same database)."""
    from ledger_service.main import create_app as create_ledger

    wrapper = HeldAnswers(create_ledger(test_resources.settings("ledger_service")))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(wrapper, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", wrapper
    wrapper.release.set()
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def start_worker(settings: Any, fleet_keys: Any, ledger_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FIXED_INCOME_DATABASE_URL": settings.database_url.get_secret_value(),
        "FIXED_INCOME_REDIS_URL": settings.redis_url.get_secret_value(),
        "FIXED_INCOME_JWT_PRIVATE_KEY": fleet_keys.private_key("fixed_income"),
        "FIXED_INCOME_WORKER_METRICS_PORT": "0",
        "FLEET_ENV": "test",
        "FLEET_LEDGER_URL": ledger_url,
        "FLEET_BUS_REDIS_URL": settings.fleet.bus_redis_url,
        "FLEET_JWT_PUBLIC_KEYS": fleet_keys.public_keys_setting(),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "fixed_income_service.worker", "worker",
        "--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def payments_recorded(engine: Any) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(text("SELECT count(*) FROM bond_payments")) or 0)


async def ledger_payments(test_resources: Any) -> int:
    async with test_resources.engine("ledger_service").connect() as connection:
        found = await connection.scalar(
            text("SELECT count(*) FROM transactions WHERE metadata->>'kind' = 'coupon'")
        )
        return int(found or 0)


async def wait_until(predicate: Any, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("timed out waiting")


async def test_a_worker_killed_mid_payment_is_restarted_and_the_coupon_is_paid_once(
    desk, desk_app, books, bond_id, owner, settings, fleet_keys, ledger_server, test_resources
):
    url, ledger = ledger_server
    alice = await books.user("alice", cash="20000.00")
    response = await desk.post(
        "/v1/trades", json=trade(bond_id, alice, "buy", "10000.00", "99.5", "w-1"), headers=owner
    )
    assert response.status_code == 201, response.text
    before = await books.posted(alice)
    celery = make_celery(settings.model_copy(update={"worker_metrics_port": 0}), include=[])
    due = {"today": COUPON_DATES[0].isoformat()}
    ledger.armed = True

    worker = start_worker(settings, fleet_keys, url)
    celery.send_task(TASK, kwargs=due)
    assert await asyncio.to_thread(ledger.arrived.wait, 60), "the worker never paid"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    ledger.release.set()
    # The ledger has the coupon; the service recorded nothing (its transaction died with it).
    assert await ledger_payments(test_resources) == 1
    assert await payments_recorded(desk_app.state.engine) == 0

    ledger.armed = False
    restarted = start_worker(settings, fleet_keys, url)
    try:
        celery.send_task(TASK, kwargs=due)  # an operator's catch-up run, or tomorrow's beat

        async def recorded() -> bool:
            return await payments_recorded(desk_app.state.engine) == 1

        await wait_until(recorded)
        celery.send_task(TASK, kwargs=due)  # and once more: nothing new
        await asyncio.sleep(2)
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=20)
    assert await ledger_payments(test_resources) == 1
    assert await payments_recorded(desk_app.state.engine) == 1
    assert await books.posted(alice) == before + Decimal("250.00")
