"""Health, readiness, request and trace ids, metrics by route template, JSON logs."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from fleetkit.json_logging import JsonFormatter
from fleetkit.request_context import request_id_var, traceparent_var
from fleetkit.settings import BaseFleetSettings
from fleetkit.testing.kit_service.config import Settings
from fleetkit.testing.kit_service.main import create_app

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-01$")
INCOMING_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
INCOMING_PARENT = "00f067aa0ba902b7"
INCOMING = f"00-{INCOMING_TRACE}-{INCOMING_PARENT}-01"
PROBE_ID = "0190d2a0-0000-7000-8000-000000000001"
REPO_ROOT = Path(__file__).resolve().parents[3]


def metric_value(exposition: str, sample_name: str, **labels: str) -> float:
    """The value of the sample with exactly these labels, 0 when absent."""
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == sample_name and sample.labels == labels:
                return float(sample.value)
    return 0.0


@pytest.fixture
async def app_with(
    settings: BaseFleetSettings, redis: Any, bus: Any
) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """Builds the kit app on a modified copy of the test settings; closes it afterwards."""
    apps: list[Any] = []

    def build(**changes: Any) -> httpx.AsyncClient:
        changed = settings.model_copy(update=changes)
        assert isinstance(changed, Settings)
        application = create_app(changed)
        apps.append(application)
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application), base_url="http://test"
        )

    yield build
    for application in apps:
        await application.state.redis.aclose()
        await application.state.bus.aclose()
        await application.state.engine.dispose()


async def test_health_answers_without_a_token(client: httpx.AsyncClient):
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "ledger"}


async def test_ready_when_postgres_and_redis_answer(client: httpx.AsyncClient):
    response = await client.get("/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"postgres": "ok", "redis": "ok"}}


async def test_not_ready_when_postgres_is_unreachable(
    app_with: Callable[..., httpx.AsyncClient],
):
    unreachable = SecretStr("postgresql+asyncpg://postgres@127.0.0.1:1/x")
    async with app_with(database_url=unreachable) as http:
        response = await http.get("/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not-ready"
    assert body["checks"]["postgres"].startswith("down: ")
    assert body["checks"]["redis"] == "ok"


async def test_not_ready_when_redis_is_unreachable(app_with: Callable[..., httpx.AsyncClient]):
    async with app_with(redis_url=SecretStr("redis://127.0.0.1:1/0")) as http:
        response = await http.get("/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["postgres"] == "ok"
    assert response.json()["checks"]["redis"].startswith("down: ")


REQUESTS = [
    ("GET", "/health", 200),
    ("GET", "/ready", 200),
    ("GET", "/metrics", 200),
    ("GET", "/v1/no-such-route", 404),
    ("POST", "/v1/echo", 401),
]


@pytest.mark.parametrize(("method", "path", "status"), REQUESTS)
async def test_every_response_continues_the_incoming_trace(
    client: httpx.AsyncClient, method: str, path: str, status: int
):
    response = await client.request(
        method, path, headers={"traceparent": INCOMING, "x-request-id": "req-123"}
    )

    assert response.status_code == status
    assert response.headers["x-request-id"] == "req-123"
    match = TRACEPARENT.match(response.headers["traceparent"])
    assert match is not None
    assert match.group(1) == INCOMING_TRACE
    assert match.group(2) != INCOMING_PARENT


@pytest.mark.parametrize(("method", "path", "status"), REQUESTS)
async def test_every_response_gets_fresh_ids_when_none_come_in(
    client: httpx.AsyncClient, method: str, path: str, status: int
):
    first = await client.request(method, path)
    second = await client.request(method, path)

    assert first.status_code == status
    assert re.fullmatch(r"[0-9a-f]{16}", first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    first_trace = TRACEPARENT.match(first.headers["traceparent"])
    second_trace = TRACEPARENT.match(second.headers["traceparent"])
    assert first_trace is not None
    assert second_trace is not None
    assert first_trace.group(1) != second_trace.group(1)


@pytest.mark.parametrize(
    "bad",
    [
        "garbage",
        f"01-{INCOMING_TRACE}-{INCOMING_PARENT}-01",
        f"00-{INCOMING_TRACE.upper()}-{INCOMING_PARENT}-01",
        f"00-{INCOMING_TRACE}-{INCOMING_PARENT}",
    ],
)
async def test_a_malformed_traceparent_starts_a_new_trace(client: httpx.AsyncClient, bad: str):
    response = await client.get("/health", headers={"traceparent": bad})

    match = TRACEPARENT.match(response.headers["traceparent"])
    assert match is not None
    assert match.group(1) != INCOMING_TRACE


async def test_an_overlong_request_id_is_cut_to_64_characters(client: httpx.AsyncClient):
    response = await client.get("/health", headers={"x-request-id": "r" * 500})

    assert response.headers["x-request-id"] == "r" * 64


async def test_the_request_context_does_not_leak_out_of_the_request(client: httpx.AsyncClient):
    await client.get("/health", headers={"traceparent": INCOMING, "x-request-id": "req-1"})

    assert request_id_var.get() is None
    assert traceparent_var.get() is None


async def test_metrics_count_requests_by_route_template_not_raw_path(
    client: httpx.AsyncClient, auth_headers: Callable[..., dict[str, str]]
):
    labels = {"service": "ledger", "method": "GET", "route": "/v1/probes/{probe_id}"}
    before = metric_value(
        (await client.get("/metrics")).text, "http_requests_total", **labels, status="200"
    )

    probe = await client.get(f"/v1/probes/{PROBE_ID}", headers=auth_headers())
    exposition = (await client.get("/metrics")).text

    assert probe.status_code == 200
    assert "# TYPE http_requests_total counter" in exposition
    assert metric_value(exposition, "http_requests_total", **labels, status="200") == before + 1
    assert PROBE_ID not in exposition
    assert metric_value(exposition, "http_request_duration_seconds_count", **labels) >= 1


async def test_metrics_count_refusals_under_the_route_they_were_meant_for(
    client: httpx.AsyncClient,
):
    labels = {"service": "ledger", "method": "GET", "route": "/v1/probes/{probe_id}"}
    before = metric_value(
        (await client.get("/metrics")).text, "http_requests_total", **labels, status="401"
    )

    await client.get(f"/v1/probes/{PROBE_ID}")
    after = metric_value(
        (await client.get("/metrics")).text, "http_requests_total", **labels, status="401"
    )

    assert after == before + 1


async def test_unmatched_paths_share_one_metrics_label(client: httpx.AsyncClient):
    labels = {"service": "ledger", "method": "GET", "route": "<unmatched>", "status": "404"}
    before = metric_value((await client.get("/metrics")).text, "http_requests_total", **labels)

    await client.get("/v1/nowhere/1")
    await client.get("/v1/nowhere/2")
    exposition = (await client.get("/metrics")).text

    assert metric_value(exposition, "http_requests_total", **labels) == before + 2
    assert "/v1/nowhere" not in exposition


async def test_the_metrics_endpoint_speaks_the_prometheus_text_format(client: httpx.AsyncClient):
    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "version=" in response.headers["content-type"]


@pytest.fixture
def json_log() -> Any:
    """Every `fleetkit.*` log line of the test, as JSON, formatted when it is emitted."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("ledger"))
    logger = logging.getLogger("fleetkit")
    previous_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    logger.removeHandler(handler)
    logger.setLevel(previous_level)


async def test_the_access_log_line_carries_request_and_trace_ids(
    client: httpx.AsyncClient, json_log: Any
):
    await client.get("/health", headers={"traceparent": INCOMING, "x-request-id": "req-log"})

    [line] = [entry for entry in json_log() if entry["logger"] == "fleetkit.access"]
    assert line["message"] == "GET /health 200"
    assert line["request_id"] == "req-log"
    assert line["trace_id"] == INCOMING_TRACE
    assert line["service"] == "ledger"
    assert line["level"] == "INFO"
    assert line["route"] == "/health"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["ts"])


def test_a_log_line_outside_a_request_has_no_ids_and_keeps_exceptions():
    formatter = JsonFormatter("ledger")
    try:
        raise ValueError("kaput")
    except ValueError:
        record = logging.getLogger("fleetkit.test").makeRecord(
            "fleetkit.test",
            logging.ERROR,
            __file__,
            1,
            "failed %s",
            ("job",),
            sys.exc_info(),
            extra={"job_id": 7},
        )

    line = json.loads(formatter.format(record))

    assert line["message"] == "failed job"
    assert line["request_id"] is None
    assert line["trace_id"] is None
    assert line["job_id"] == 7
    assert "ValueError: kaput" in line["exception"]
    assert "args" not in line
    assert "msg" not in line


def run_python(code: str, env: dict[str, str], *args: str) -> str:
    finished = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout


COUNT_REQUESTS = """
import sys
from fleetkit.metrics import HTTP_REQUESTS
HTTP_REQUESTS.labels("ledger", "POST", "/v1/things/{thing_id}", "201").inc(int(sys.argv[1]))
"""

SCRAPE = """
import sys
from fleetkit.metrics import render_metrics
payload, _ = render_metrics()
sys.stdout.write(payload.decode())
"""


def test_metrics_add_up_across_processes_in_multiprocess_mode(tmp_path: Path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    run_python(COUNT_REQUESTS, env, "2")
    run_python(COUNT_REQUESTS, env, "3")
    exposition = run_python(SCRAPE, env)

    assert len(list(tmp_path.glob("counter_*.db"))) == 2
    labels = {
        "service": "ledger",
        "method": "POST",
        "route": "/v1/things/{thing_id}",
        "status": "201",
    }
    assert metric_value(exposition, "http_requests_total", **labels) == 5.0
