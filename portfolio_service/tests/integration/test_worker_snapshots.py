"""The nightly snapshot run by the gateway's REAL Celery worker process: the task beat sends at
00:15 reaches the worker, which values every live portfolio through the real ledger (an HTTP
server) and writes the snapshot; sending it again retakes the same row."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text

from fleetkit.celery_app import make_celery
from fleetkit.testing.killed_workers import start_worker

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
CLOSED_PORT = "http://127.0.0.1:9"  # the other services are not running: nothing answers


async def snapshot_rows(engine) -> list[tuple[Decimal, Decimal, bool]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT value, net_flow, complete FROM valuation_snapshots")
        )
        return [tuple(row) for row in rows.all()]


async def has_rows(engine) -> bool:
    return bool(await snapshot_rows(engine))


async def retaken(engine) -> bool:
    return (await snapshot_rows(engine))[0][0] != 0


async def wait_until(check, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.3)
    raise AssertionError(f"the worker did not do it within {seconds} s")


async def test_the_real_worker_takes_the_nightly_snapshot(
    gateway, people, books, committed, settings, fleet_keys, ledger_server, monkeypatch
):
    await people.register("night@example.com", tenant_name="Nightly")
    h = await people.headers("night@example.com")
    cash = await books.account(h, "night/cash", "USD/2")
    await books.deposit(h, cash, "300.00")
    made = await gateway.post("/api/v1/portfolios", json={"name": "p", "holdings": [
        {"kind": "cash", "ledger_account_id": cash}]}, headers=h)  # fmt: skip
    assert made.status_code == 201, made.text
    for service in ("EQUITY", "FIXED_INCOME", "REALESTATE", "ISSUANCE"):
        monkeypatch.setenv(f"FLEET_{service}_URL", CLOSED_PORT)
    url, _ = ledger_server
    today = datetime.now(UTC).date().isoformat()
    celery = make_celery(settings.model_copy(update={"worker_metrics_port": 0}), include=[])

    worker = start_worker("portfolio_service", settings, fleet_keys, url)
    try:
        celery.send_task("portfolio.snapshot_valuations", kwargs={"day": today})
        await wait_until(lambda: has_rows(committed))
        first = await snapshot_rows(committed)
        async with committed.begin() as connection:  # forget it, then let the worker retake it
            await connection.execute(text("UPDATE valuation_snapshots SET value = 0"))
        celery.send_task("portfolio.snapshot_valuations", kwargs={"day": today})
        await wait_until(lambda: retaken(committed))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    assert first == [(Decimal("300.00"), Decimal("300.00"), True)]
    assert await snapshot_rows(committed) == first  # retaken in place, one row
