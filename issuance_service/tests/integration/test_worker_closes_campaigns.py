"""A real issuance Celery worker closes a due campaign, and one killed in the middle of the
close (the ledger committed a certificate credit, the worker never saw the answer) leaves the
next run to finish it: every ledger step happens exactly once, escrow ends empty."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from fleetkit.celery_app import make_celery
from fleetkit.testing.killed_workers import start_worker

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
D = Decimal


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
    worker = start_worker("issuance_service", settings, fleet_keys, url)
    celery.send_task("issuance.close_due_campaigns")  # what beat sends every 30 s
    assert await asyncio.to_thread(ledger.arrived.wait, 180), "the worker never closed"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    ledger.release.set()
    assert await certificate_credits(test_resources) == 1  # the ledger has it, issuance not

    ledger.armed = False
    restarted = start_worker("issuance_service", settings, fleet_keys, url)
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
