"""Prometheus metrics shared by every process of every service.

With `PROMETHEUS_MULTIPROC_DIR` set (several uvicorn workers, Celery's prefork children), values
are written to that directory and summed at scrape time, so the numbers stay right whichever
process serves `/metrics`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.registry import Collector

HTTP_REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests answered, by route template and status.",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
OUTBOX_BACKLOG = Gauge(
    "fleet_outbox_backlog",
    "Events written to the outbox and not yet relayed to the bus.",
    ["service"],
    multiprocess_mode="livemax",
)
EVENTS_PUBLISHED = Counter(
    "fleet_events_published_total", "Events relayed from the outbox to the bus.", ["service"]
)
EVENTS_CONSUMED = Counter(
    "fleet_events_consumed_total",
    "Events read from the bus, by outcome (handled, duplicate, failed, dead_lettered).",
    ["service", "stream", "outcome"],
)
CELERY_TASKS = Counter(
    "celery_tasks_total", "Celery tasks by final state.", ["service", "task", "state"]
)
CELERY_TASK_LATENCY = Histogram(
    "celery_task_duration_seconds", "Celery task run time.", ["service", "task"]
)


def metrics_registry() -> CollectorRegistry:
    """The registry to scrape: aggregated across processes when multiprocess mode is on."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


def render_metrics(extra: Iterable[Collector] = ()) -> tuple[bytes, str]:
    """The exposition text and its content type."""
    registry = metrics_registry()
    if extra:
        combined = CollectorRegistry()
        for collector in extra:
            combined.register(collector)
        return generate_latest(registry) + generate_latest(combined), CONTENT_TYPE_LATEST
    return generate_latest(registry), CONTENT_TYPE_LATEST


def serve_metrics(port: int, extra: Iterable[Collector] = ()) -> WSGIServer:
    """Expose `/metrics` on `port` from a daemon thread (workers and bus processes)."""
    registry = metrics_registry()
    for collector in extra:
        registry.register(collector)
    server, _thread = start_http_server(port, registry=registry)
    return server
