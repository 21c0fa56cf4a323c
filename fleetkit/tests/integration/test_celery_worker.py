"""A real Celery worker on the real Redis broker runs the kit's housekeeping against Postgres."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from fleetkit.celery_app import make_celery
from fleetkit.housekeeping import BEAT_SCHEDULE
from fleetkit.idempotency import IdempotencyRecord
from fleetkit.metrics import metrics_registry

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")

PRUNE = "fleetkit.prune_idempotency_keys"
UNREACHABLE_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:1/x"


@pytest.fixture(scope="session")
def celery_app(service_package: str, test_resources: Any) -> Celery:
    """One Celery app per test process: `make_celery` connects process-wide signal handlers."""
    settings = test_resources.settings(service_package).model_copy(
        update={"worker_metrics_port": 0}  # any free port: parallel workers must not collide
    )
    return make_celery(settings, include=["fleetkit.housekeeping"])


@pytest.fixture(scope="module")
def worker(celery_app: Celery) -> Iterator[Celery]:
    """An in-process worker thread consuming the service's Redis broker."""
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield celery_app


def tasks_counted(state: str) -> float:
    labels = {"service": "ledger", "task": PRUNE, "state": state}
    return metrics_registry().get_sample_value("celery_tasks_total", labels) or 0.0


async def wait_for_count(state: str, expected: float) -> float:
    """task_postrun runs just after the result is stored, so the count may lag `.get()`."""
    for _ in range(200):
        if tasks_counted(state) >= expected:
            break
        await asyncio.sleep(0.05)
    return tasks_counted(state)


async def insert_keys(engine: AsyncEngine, expires: dict[str, datetime]) -> None:
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        await connection.execute(
            insert(IdempotencyRecord),
            [
                {
                    "scope": "tenant-a|user-1|POST /v1/echo",
                    "key": key,
                    "request_hash": "0" * 64,
                    "state": "completed",
                    "response_status": 201,
                    "locked_until": now,
                    "expires_at": expires_at,
                }
                for key, expires_at in expires.items()
            ],
        )


async def remaining_keys(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.execute(select(IdempotencyRecord.key))).scalars())


async def test_a_real_worker_prunes_only_expired_idempotency_keys(
    worker: Celery, committed: AsyncEngine
):
    now = datetime.now(UTC)
    await insert_keys(
        committed, {"expired": now - timedelta(minutes=5), "live": now + timedelta(hours=1)}
    )

    result = worker.tasks[PRUNE].delay()
    pruned = await asyncio.to_thread(result.get, timeout=30)

    assert pruned == 1
    assert result.state == "SUCCESS"
    assert await remaining_keys(committed) == ["live"]


async def test_a_successful_task_is_counted_as_success(worker: Celery, committed: AsyncEngine):
    before = tasks_counted("SUCCESS")
    latency_labels = {"service": "ledger", "task": PRUNE}
    runs_timed = (
        metrics_registry().get_sample_value("celery_task_duration_seconds_count", latency_labels)
        or 0.0
    )

    result = worker.tasks[PRUNE].delay()
    assert await asyncio.to_thread(result.get, timeout=30) == 0

    assert await wait_for_count("SUCCESS", before + 1) == before + 1
    assert (
        metrics_registry().get_sample_value("celery_task_duration_seconds_count", latency_labels)
        == runs_timed + 1
    )


async def test_a_failing_task_is_counted_as_failure(worker: Celery, committed: AsyncEngine):
    before_failure, before_success = tasks_counted("FAILURE"), tasks_counted("SUCCESS")
    database_url = worker.conf.fleet_database_url
    worker.conf.fleet_database_url = UNREACHABLE_DATABASE
    try:
        result = worker.tasks[PRUNE].delay()
        with pytest.raises(OSError, match="Connect"):
            await asyncio.to_thread(result.get, timeout=30)
    finally:
        worker.conf.fleet_database_url = database_url

    assert await wait_for_count("FAILURE", before_failure + 1) == before_failure + 1
    assert tasks_counted("SUCCESS") == before_success


def test_the_celery_app_speaks_json_only_in_utc(celery_app: Celery):
    conf = celery_app.conf

    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert str(conf.timezone) == "UTC"
    assert conf.enable_utc is True
    assert conf.broker_url == conf.result_backend
    assert conf.broker_url.startswith("redis://")


def test_the_prune_task_is_registered_as_safe_to_rerun(celery_app: Celery):
    task = celery_app.tasks[PRUNE]

    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert BEAT_SCHEDULE["prune-idempotency-keys"]["task"] == PRUNE
