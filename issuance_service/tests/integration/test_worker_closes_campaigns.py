"""A real issuance Celery worker closes a due campaign, and one killed in the middle of the
close (the ledger committed a certificate credit, the worker never saw the answer) leaves the
next run to finish it: every ledger step happens exactly once, escrow ends empty."""

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
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import uvicorn
from sqlalchemy import text

from fleetkit.celery_app import make_celery

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
D = Decimal


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


def start_worker(settings, fleet_keys, ledger_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ISSUANCE_DATABASE_URL": settings.database_url.get_secret_value(),
        "ISSUANCE_REDIS_URL": settings.redis_url.get_secret_value(),
        "ISSUANCE_JWT_PRIVATE_KEY": fleet_keys.private_key("issuance"),
        "ISSUANCE_WORKER_METRICS_PORT": "0",
        "FLEET_ENV": "test",
        "FLEET_LEDGER_URL": ledger_url,
        "FLEET_BUS_REDIS_URL": settings.fleet.bus_redis_url,
        "FLEET_JWT_PUBLIC_KEYS": fleet_keys.public_keys_setting(),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "issuance_service.worker", "worker",
        "--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def wait_until(predicate, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("timed out waiting")


async def certificate_credits(test_resources) -> int:
    async with test_resources.engine("ledger_service").connect() as connection:
        return int(
            await connection.scalar(
                text(
                    "SELECT count(*) FROM transactions WHERE metadata->>'investment_id' IS NOT NULL"
                )
            )
        )


async def test_a_worker_killed_mid_close_leaves_the_next_run_to_finish_exactly_once(
    platform,
    issuance,
    issuance_app,
    books,
    books_clean,
    clock,
    settings,
    fleet_keys,
    ledger_server,
    test_resources,
):
    url, ledger = ledger_server
    clock.travel(timedelta(days=-31))  # launched 31 days ago: due now for the real clock
    campaign = await platform.live(min_target="1000.00", platform_fee_bps=250)
    ann = await platform.investor("ann", cash="5000")
    bob = await platform.investor("bob", cash="5000")
    await platform.pledge(campaign["id"], "ann", "1200.00")
    await platform.pledge(campaign["id"], "bob", "800.00")

    celery = make_celery(settings.model_copy(update={"worker_metrics_port": 0}), include=[])
    ledger.armed = True
    worker = start_worker(settings, fleet_keys, url)
    celery.send_task("issuance.close_due_campaigns")  # what beat sends every 30 s
    assert await asyncio.to_thread(ledger.arrived.wait, 180), "the worker never closed"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    ledger.release.set()
    assert await certificate_credits(test_resources) == 1  # the ledger has it, issuance not

    ledger.armed = False
    restarted = start_worker(settings, fleet_keys, url)
    try:

        async def settled() -> bool:
            celery.send_task("issuance.close_due_campaigns")  # what beat sends every 30 s
            await asyncio.sleep(1.0)
            got = await issuance.get(
                f"/v1/campaigns/{campaign['id']}", headers=issuance.as_("owner")
            )
            return bool(got.json()["settled_at"])

        await wait_until(settled, seconds=180)
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=20)

    assert await certificate_credits(test_resources) == 2  # one per investment, never more
    # 2,000 raised, fee 2.5% = 50.00, the issuer gets 1,950.00.
    assert (await books.balance(platform.issuer_cash))["posted"] == D("1950.00")
    assert (await books.balance(ann["cash_account_id"]))["posted"] == D("3800.00")
    assert (await books.balance(bob["cash_account_id"]))["posted"] == D("4200.00")
    await books_clean()
