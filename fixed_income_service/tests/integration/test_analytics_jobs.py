"""Batches over the sync limit run as a Celery job: a real worker on the real Redis broker,
progress in Postgres, the result behind a link."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from sqlalchemy import text

from fixed_income_service.tests.integration.test_analytics_api import GILT
from fixed_income_service.tests.integration.test_bonds_api import PROBLEM
from fleetkit.celery_app import make_celery

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")
LIMIT = 40  # the service's default is 10,000; a small limit keeps the test quick


@pytest.fixture(scope="session")
def celery_app(service_package: str, test_resources: Any) -> Celery:
    settings = test_resources.settings(service_package).model_copy(
        update={"worker_metrics_port": 0}
    )
    return make_celery(settings, include=["fixed_income_service.analytics.tasks"])


@pytest.fixture(scope="module")
def worker(celery_app: Celery) -> Iterator[Celery]:
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield celery_app


@pytest.fixture
async def job_client(settings, committed, redis, bus) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a small sync limit, so that a few dozen items make a job."""
    main = importlib.import_module("fixed_income_service.main")
    app = main.create_app(settings.model_copy(update={"sync_batch_limit": LIMIT}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    await app.state.redis.aclose()
    await app.state.bus.aclose()
    await app.state.engine.dispose()


async def wait_until_finished(client, headers, job_url) -> list[dict[str, Any]]:
    seen = []
    for _ in range(300):
        job = (await client.get(job_url, headers=headers)).json()
        seen.append(job)
        if job["state"] in ("succeeded", "failed"):
            return seen
        await asyncio.sleep(0.1)
    raise AssertionError(f"job did not finish: {seen[-1]}")


async def test_a_batch_over_the_limit_runs_as_a_job_with_progress_and_a_result_link(
    worker, job_client, auth_headers
):
    h = auth_headers(tenant_id="acme", roles=frozenset({"viewer"}))
    items = [{"bond": GILT, "yield": 0.02 + i / 10_000} for i in range(LIMIT + 5)]
    items[7] = {"bond": GILT, "yield": "inf"}
    body = {"settlement_date": "2030-03-18", "items": items, "measures": ["clean_price"]}
    response = await job_client.post("/v1/analytics/bonds:batch", json=body, headers=h)
    assert response.status_code == 202, response.text
    job = response.json()["job"]
    assert (job["state"], job["done"], job["total"]) == ("queued", 0, LIMIT + 5)
    seen = await wait_until_finished(job_client, h, response.headers["location"])
    final = seen[-1]
    assert final["state"] == "succeeded", final
    assert final["done"] == final["total"] == LIMIT + 5
    result = await job_client.get(final["result"], headers=h)
    assert result.status_code == 200
    results = result.json()["results"]
    assert [r["index"] for r in results] == list(range(LIMIT + 5))
    assert results[7]["problem"]["type"] == PROBLEM + "invalid-yield"
    prices = [r["clean_price"] for r in results if "clean_price" in r]
    assert prices == sorted(prices, reverse=True)  # higher yield, lower price, in order


async def test_another_tenant_does_not_see_the_job(worker, job_client, auth_headers):
    h = auth_headers(tenant_id="acme", roles=frozenset({"viewer"}))
    body = {"settlement_date": "2030-03-18", "items": [{"bond": GILT, "yield": 0.03}] * (LIMIT + 1)}
    response = await job_client.post("/v1/analytics/bonds:batch", json=body, headers=h)
    other = auth_headers(tenant_id="globex", roles=frozenset({"viewer"}))
    assert (await job_client.get(response.headers["location"], headers=other)).status_code == 404
    seen = await wait_until_finished(job_client, h, response.headers["location"])
    assert seen[-1]["state"] == "succeeded"


async def test_a_result_before_the_job_finished_is_a_conflict(job_client, auth_headers, committed):
    # A job no worker has taken yet, written as the API writes it (no task is sent for it).
    job_id = "0190f1c4-0000-7000-8000-000000000001"
    async with committed.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO analytics_jobs (id, tenant_id, subject, state, total, request) "
                "VALUES (:id, 'acme', 'user-1', 'queued', 50, '{}'::jsonb)"
            ),
            {"id": job_id},
        )
    h = auth_headers(tenant_id="acme", roles=frozenset({"viewer"}))
    job = (await job_client.get(f"/v1/jobs/{job_id}", headers=h)).json()
    assert (job["state"], job["done"], job["total"], job["result"]) == ("queued", 0, 50, None)
    early = await job_client.get(f"/v1/jobs/{job_id}/result", headers=h)
    assert early.status_code == 409
    assert early.json()["type"] == PROBLEM + "job-not-finished"
