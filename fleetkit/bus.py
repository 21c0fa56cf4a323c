"""The bus process of a service: its outbox relay and its event consumer, side by side."""

from __future__ import annotations

import asyncio
import logging
import signal

from fleetkit.db import make_engine, make_sessionmaker
from fleetkit.events.consumer import ConsumerOptions, EventConsumer, Subscriptions
from fleetkit.events.relay import OutboxRelay
from fleetkit.json_logging import configure_logging
from fleetkit.metrics import serve_metrics
from fleetkit.redis_clients import make_redis
from fleetkit.settings import BaseFleetSettings

log = logging.getLogger("fleetkit.bus")


async def run_bus(
    settings: BaseFleetSettings,
    subscriptions: Subscriptions,
    *,
    options: ConsumerOptions | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Relay this service's outbox and consume its subscriptions until stopped (SIGTERM/SIGINT)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    engine = make_engine(settings.database_url.get_secret_value(), pool_size=2)
    sessionmaker = make_sessionmaker(engine)
    bus = make_redis(settings.fleet.bus_redis_url)
    relay = OutboxRelay(settings.service_name, sessionmaker, bus)
    consumer = EventConsumer(settings.service_name, sessionmaker, bus, subscriptions, options)
    log.info("bus started", extra={"streams": sorted(consumer.streams)})
    try:
        await asyncio.gather(relay.run(stop), consumer.run(stop))
    finally:
        await bus.aclose()
        await engine.dispose()


def main(settings: BaseFleetSettings, subscriptions: Subscriptions) -> None:
    """Entry point of `python -m <service>.bus`."""
    configure_logging(f"{settings.service_name}-bus", settings.fleet.log_level)
    serve_metrics(settings.bus_metrics_port)
    asyncio.run(run_bus(settings, subscriptions))
