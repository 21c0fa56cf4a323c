"""The Celery app factory: JSON only, UTC, a metrics endpoint per worker, task metrics.

Tasks that are safe to run twice declare `**IDEMPOTENT` (acks_late): a worker killed mid-task
leaves the message on the broker and another worker runs it again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from celery import Celery, signals
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from fleetkit.json_logging import configure_logging
from fleetkit.metrics import CELERY_TASK_LATENCY, CELERY_TASKS, serve_metrics
from fleetkit.settings import BaseFleetSettings

IDEMPOTENT: dict[str, Any] = {"acks_late": True, "reject_on_worker_lost": True}
T = TypeVar("T")
_started: dict[str, float] = {}


class QueueDepthCollector(Collector):
    """`celery_queue_length`: messages waiting in the broker, read at scrape time."""

    def __init__(self, service: str, broker_url: str, queues: tuple[str, ...] = ("celery",)):
        self.service = service
        self.broker_url = broker_url
        self.queues = queues

    def collect(self) -> Any:
        import redis

        gauge = GaugeMetricFamily(
            "celery_queue_length", "Messages waiting in the broker.", labels=["service", "queue"]
        )
        client = redis.Redis.from_url(self.broker_url, socket_timeout=2)
        try:
            for queue in self.queues:
                gauge.add_metric([self.service, queue], float(client.llen(queue)))
        except redis.RedisError:
            pass
        finally:
            client.close()
        yield gauge


def make_celery(settings: BaseFleetSettings, *, include: list[str]) -> Celery:
    """The service's Celery app on its own Redis, with `include` task modules."""
    broker = settings.redis_url.get_secret_value()
    app = Celery(settings.service_name, broker=broker, backend=broker, include=include)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        enable_utc=True,
        task_track_started=True,
        result_expires=3600,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        task_default_queue="celery",
        fleet_database_url=settings.database_url.get_secret_value(),
    )
    service = settings.service_name

    @signals.setup_logging.connect(weak=False)
    def _logging(**_: Any) -> None:
        configure_logging(service, settings.fleet.log_level)

    # Signals are process-wide: each handler acts only for this app's worker and tasks.
    @signals.worker_init.connect(weak=False)
    def _metrics_endpoint(sender: Any = None, **_: Any) -> None:
        if getattr(sender, "app", None) is not app:
            return
        serve_metrics(settings.worker_metrics_port, [QueueDepthCollector(service, broker)])

    @signals.task_prerun.connect(weak=False)
    def _task_started(task_id: str = "", task: Any = None, **_: Any) -> None:
        if getattr(task, "app", None) is app:
            _started[task_id] = time.perf_counter()

    @signals.task_postrun.connect(weak=False)
    def _task_finished(task_id: str = "", task: Any = None, state: str = "", **_: Any) -> None:
        if getattr(task, "app", None) is not app:
            return
        name = getattr(task, "name", "unknown")
        CELERY_TASKS.labels(service, name, state or "UNKNOWN").inc()
        started = _started.pop(task_id, None)
        if started is not None:
            CELERY_TASK_LATENCY.labels(service, name).observe(time.perf_counter() - started)

    return app


def run_use_case(task: Any, use_case: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run an async use case from a Celery task, on a fresh pool-less engine.

    Tasks run in forked children under `asyncio.run`, so no pooled connection may cross event
    loops: each run opens its own engine on the task app's database and disposes of it.
    """

    async def on_fresh_engine() -> T:
        engine = create_async_engine(task.app.conf["fleet_database_url"], poolclass=NullPool)
        try:
            return await use_case(engine)
        finally:
            await engine.dispose()

    return asyncio.run(on_fresh_engine())
