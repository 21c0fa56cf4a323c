"""A real fixed income Celery worker pays a coupon through a real ledger HTTP server; killed
after the ledger posted the payment but before it recorded it, a restarted worker completes
it, and the ledger holds the payment once."""

from __future__ import annotations

import asyncio
import signal
import time
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from fixed_income_service.tests.acme_note import COUPON_DATES, trade
from fleetkit.celery_app import make_celery
from fleetkit.testing.killed_workers import start_worker

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
TASK = "fixed_income.pay_due_bond_payments"


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

    worker = start_worker("fixed_income_service", settings, fleet_keys, url)
    celery.send_task(TASK, kwargs=due)
    assert await asyncio.to_thread(ledger.arrived.wait, 60), "the worker never paid"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    ledger.release.set()
    # The ledger has the coupon; the service recorded nothing (its transaction died with it).
    assert await ledger_payments(test_resources) == 1
    assert await payments_recorded(desk_app.state.engine) == 0

    ledger.armed = False
    restarted = start_worker("fixed_income_service", settings, fleet_keys, url)
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
