"""A REAL realestate Celery worker runs the daily billing; sending the job twice (or for an
earlier day again) posts nothing new: one charge per lease, kind and period."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from fleetkit.celery_app import make_celery

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

POLICY = {
    "grace_days": 5,
    "initial_amount": "50",
    "recurrence": "daily",
    "recurring_amount": "10",
    "cap_per_charge": "150",
    "minimum_outstanding": "25",
}


def start_worker(settings, fleet_keys) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REALESTATE_DATABASE_URL": settings.database_url.get_secret_value(),
        "REALESTATE_REDIS_URL": settings.redis_url.get_secret_value(),
        "REALESTATE_JWT_PRIVATE_KEY": fleet_keys.private_key("realestate"),
        "REALESTATE_WORKER_METRICS_PORT": "0",
        "FLEET_ENV": "test",
        "FLEET_BUS_REDIS_URL": settings.fleet.bus_redis_url,
        "FLEET_JWT_PUBLIC_KEYS": fleet_keys.public_keys_setting(),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "realestate_service.worker", "worker",
        "--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def counts(engine) -> tuple[int, int]:
    async with engine.connect() as conn:
        rent = await conn.scalar(text("SELECT count(*) FROM charges WHERE kind = 'rent'"))
        fees = await conn.scalar(text("SELECT count(*) FROM charges WHERE kind = 'late_fee'"))
    return int(rent or 0), int(fees or 0)


async def wait_for(engine, wanted: tuple[int, int], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await counts(engine) == wanted:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out: {await counts(engine)} != {wanted}")


async def test_the_worker_posts_rent_and_fees_once_however_often_it_runs(
    api, re_app, settings, fleet_keys
):
    await api.ok("PUT", "/v1/late-fee-policies/organization", json=POLICY)
    for _ in range(3):
        await api.lease(rent="1400", start="2025-04-01")
    celery = make_celery(settings.model_copy(update={"worker_metrics_port": 0}), include=[])
    worker = start_worker(settings, fleet_keys)
    try:
        celery.send_task("realestate.daily_billing", kwargs={"as_of": "2025-04-08"})
        # each lease: April rent; fees 04-07 (50) and 04-08 (10)
        await wait_for(re_app.state.engine, (3, 6))
        celery.send_task("realestate.daily_billing", kwargs={"as_of": "2025-04-08"})
        celery.send_task("realestate.daily_billing", kwargs={"as_of": "2025-04-07"})
        celery.send_task("realestate.daily_billing", kwargs={"as_of": "2025-04-09"})
        await wait_for(re_app.state.engine, (3, 9))
        await asyncio.sleep(1.0)
        assert await counts(re_app.state.engine) == (3, 9)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
    lease = (await api.ok("GET", "/v1/leases?status=active"))["items"][0]
    assert (await api.balance(lease["id"]))["net"] == "1470.00"
