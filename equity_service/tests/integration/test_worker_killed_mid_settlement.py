"""A real equity Celery worker killed after the ledger posted a fill's settlement but before
it recorded that: after a restart the settlement completes, and the ledger holds it once."""

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
from sqlalchemy import select, text

from equity_service.books.accounts import user_book
from equity_service.settlement.models import LedgerInstruction
from fleetkit.celery_app import make_celery

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


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
                # A threading.Event: the test releases it from another event loop.
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
        "EQUITY_DATABASE_URL": settings.database_url.get_secret_value(),
        "EQUITY_REDIS_URL": settings.redis_url.get_secret_value(),
        "EQUITY_JWT_PRIVATE_KEY": fleet_keys.private_key("equity"),
        "EQUITY_WORKER_METRICS_PORT": "0",
        "FLEET_ENV": "test",
        "FLEET_LEDGER_URL": ledger_url,
        "FLEET_BUS_REDIS_URL": settings.fleet.bus_redis_url,
        "FLEET_JWT_PUBLIC_KEYS": fleet_keys.public_keys_setting(),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "equity_service.worker",
        "worker",
        "--pool",
        "solo",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "WARNING",
    ]
    return subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def instructions_done(engine) -> list[bool]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(LedgerInstruction.done_at).order_by(LedgerInstruction.seq)
        )
        return [done is not None for (done,) in rows]


async def wait_until(predicate, seconds: float = 90.0) -> None:  # a ceiling for busy machines
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("timed out waiting")


async def test_settlement_completes_once_after_the_worker_is_killed_mid_settlement(
    equity,
    equity_app,
    market,
    books,
    books_clean,
    settings,
    fleet_keys,
    ledger_server,
    test_resources,
):
    url, ledger = ledger_server
    await market.list()
    await market.quote("ACME", "99.00", "99.50")
    alice = await books.user("alice", cash="5000.00")
    placed = await equity.post(
        "/v1/orders",
        json={
            "client_order_id": "k-1",
            "account_id": str(alice),
            "symbol": "ACME",
            "side": "buy",
            "type": "market",
            "qty": "10",
        },
    )
    assert placed.json()["status"] == "filled"
    assert await instructions_done(equity_app.state.engine) == [False, False]
    celery = make_celery(settings.model_copy(update={"worker_metrics_port": 0}), include=[])
    ledger.armed = True

    worker = start_worker(settings, fleet_keys, url)
    celery.send_task("equity.settle_instructions")
    assert await asyncio.to_thread(ledger.arrived.wait, 60), "the worker never settled"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    ledger.release.set()

    async with test_resources.engine("ledger_service").connect() as connection:
        posted = await connection.scalar(
            text(
                "SELECT count(*) FROM transactions WHERE kind = 'posted' "
                "AND metadata->>'fill_id' IS NOT NULL"
            )
        )
    assert posted == 1  # the ledger has the settlement; equity does not know it yet
    assert await instructions_done(equity_app.state.engine) == [False, False]

    ledger.armed = False
    restarted = start_worker(settings, fleet_keys, url)
    try:
        celery.send_task("equity.settle_instructions")  # what beat sends every 2 s

        async def all_done() -> bool:
            return await instructions_done(equity_app.state.engine) == [True, True]

        await wait_until(all_done)
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=20)

    async with test_resources.engine("ledger_service").connect() as connection:
        posted = await connection.scalar(
            text(
                "SELECT count(*) FROM transactions WHERE kind = 'posted' "
                "AND metadata->>'fill_id' IS NOT NULL"
            )
        )
    assert posted == 1
    shares = user_book("acme", alice, "ACME").shares.id
    assert (await books.balance(shares))["posted"] == Decimal("10")
    assert (await books.balance(alice))["posted"] == Decimal("5000.00") - 10 * Decimal("99.50")
    await books_clean()
