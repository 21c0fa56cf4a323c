"""A real equity Celery worker killed after the ledger posted a fill's settlement but before
it recorded that: after a restart the settlement completes, and the ledger holds it once."""

from __future__ import annotations

import asyncio
import signal
import time
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from equity_service.books.accounts import user_book
from equity_service.settlement.models import LedgerInstruction
from fleetkit.celery_app import make_celery
from fleetkit.testing.killed_workers import start_worker

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


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

    worker = start_worker("equity_service", settings, fleet_keys, url)
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
    restarted = start_worker("equity_service", settings, fleet_keys, url)
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
