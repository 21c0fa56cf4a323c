"""The consumer: reads other services' streams in its own group, once per event.

For each message: in one transaction, record the event id in the inbox and run the handler;
commit; then XACK. A duplicate id commits nothing and is acknowledged. A failing handler leaves
the message pending; it is reclaimed after `reclaim_idle_ms` and tried again, and after
`max_deliveries` it is copied to the dead-letter stream and acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fleetkit.events.envelope import Event, dead_letter_stream_of, stream_of
from fleetkit.events.models import InboxRecord
from fleetkit.metrics import EVENTS_CONSUMED
from fleetkit.request_context import causation_id_var, correlation_id_var, traceparent_var

log = logging.getLogger("fleetkit.consumer")

EventHandler = Callable[[AsyncSession, Event], Awaitable[None]]
Subscriptions = Mapping[str, Mapping[str, EventHandler]]
"""producer service → event type → handler."""


@dataclass
class ConsumerOptions:
    """Tuning knobs; the defaults suit production, tests shorten the waits."""

    block_ms: int = 1000
    batch_size: int = 50
    reclaim_idle_ms: int = 30_000
    max_deliveries: int = 5
    consumer_name: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")


class EventConsumer:
    """One service's consumer group over the streams it subscribes to."""

    def __init__(
        self,
        service: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        bus: Redis,
        subscriptions: Subscriptions,
        options: ConsumerOptions | None = None,
    ):
        self.service = service
        self.sessionmaker = sessionmaker
        self.bus = bus
        self.subscriptions = subscriptions
        self.options = options or ConsumerOptions()
        self.streams = {stream_of(producer): producer for producer in subscriptions}
        self.dead_letter_stream = dead_letter_stream_of(service)

    async def ensure_groups(self) -> None:
        """Create this service's group on every stream, from the beginning, if missing."""
        for stream in self.streams:
            try:
                await self.bus.xgroup_create(stream, self.service, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def consume_once(self, block_ms: int | None = None) -> int:
        """Read and handle one batch of new messages; returns how many were read."""
        replies: Any = await self.bus.xreadgroup(
            self.service,
            self.options.consumer_name,
            dict.fromkeys(self.streams, ">"),
            count=self.options.batch_size,
            block=self.options.block_ms if block_ms is None else block_ms,
        )
        count = 0
        for stream, messages in replies or []:
            for message_id, fields in messages:
                await self._process(_text(stream), _text(message_id), _fields(fields))
                count += 1
        return count

    async def reclaim_stale(self) -> int:
        """Take over messages left pending too long; retry them or dead-letter them."""
        handled = 0
        for stream in self.streams:
            pending: Any = await self.bus.xpending_range(
                stream,
                self.service,
                min="-",
                max="+",
                count=self.options.batch_size,
                idle=self.options.reclaim_idle_ms,
            )
            for entry in pending:
                message_id = _text(entry["message_id"])
                claimed: Any = await self.bus.xclaim(
                    stream,
                    self.service,
                    self.options.consumer_name,
                    self.options.reclaim_idle_ms,
                    [message_id],
                )
                if not claimed:
                    continue  # another consumer took it first
                _, fields = claimed[0]
                if fields is None:
                    await self.bus.xack(stream, self.service, message_id)
                    continue  # trimmed from the stream meanwhile
                if int(entry["times_delivered"]) >= self.options.max_deliveries:
                    await self._dead_letter(stream, message_id, _fields(fields), "max deliveries")
                else:
                    await self._process(stream, message_id, _fields(fields))
                handled += 1
        return handled

    async def _process(self, stream: str, message_id: str, fields: dict[str, str]) -> None:
        try:
            event = Event.from_stream_fields(fields)
        except ValueError as exc:
            await self._dead_letter(stream, message_id, fields, f"malformed: {exc}")
            return
        handler = self.subscriptions[self.streams[stream]].get(event.type)
        try:
            outcome = await self._handle(stream, event, handler)
        except Exception:
            log.exception("handler for %s failed on %s", event.type, event.id)
            EVENTS_CONSUMED.labels(self.service, stream, "failed").inc()
            return  # stays pending; reclaimed and retried later
        await self.bus.xack(stream, self.service, message_id)
        EVENTS_CONSUMED.labels(self.service, stream, outcome).inc()

    async def _handle(self, stream: str, event: Event, handler: EventHandler | None) -> str:
        tokens = (
            causation_id_var.set(str(event.id)),
            correlation_id_var.set(event.correlation_id or str(event.id)),
            traceparent_var.set(event.traceparent),
        )
        try:
            async with self.sessionmaker() as session, session.begin():
                inserted = await session.execute(
                    insert(InboxRecord)
                    .values(
                        event_id=event.id,
                        consumer=self.service,
                        stream=stream,
                        type=event.type,
                        note=None if handler else "no handler",
                    )
                    .on_conflict_do_nothing()
                    .returning(InboxRecord.event_id)
                )
                if inserted.first() is None:
                    return "duplicate"
                if handler is None:
                    return "ignored"
                await handler(session, event)
                return "handled"
        finally:
            causation_id_var.reset(tokens[0])
            correlation_id_var.reset(tokens[1])
            traceparent_var.reset(tokens[2])

    async def _dead_letter(
        self, stream: str, message_id: str, fields: dict[str, str], reason: str
    ) -> None:
        entry: dict[Any, Any] = {
            **fields,
            "source_stream": stream,
            "source_id": message_id,
            "reason": reason,
        }
        await self.bus.xadd(self.dead_letter_stream, entry)
        await self.bus.xack(stream, self.service, message_id)
        EVENTS_CONSUMED.labels(self.service, stream, "dead_lettered").inc()
        log.error("dead-lettered %s from %s: %s", message_id, stream, reason)

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set, reclaiming stale messages every few seconds."""
        await self.ensure_groups()
        loop = asyncio.get_running_loop()
        last_reclaim = 0.0
        while not stop.is_set():
            try:
                await self.consume_once()
                if loop.time() - last_reclaim > self.options.reclaim_idle_ms / 2000:
                    await self.reclaim_stale()
                    last_reclaim = loop.time()
            except Exception:
                log.exception("consumer loop failed; retrying")
                await asyncio.sleep(1.0)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _fields(raw: Mapping[bytes | str, bytes | str]) -> dict[str, str]:
    return {_text(k): _text(v) for k, v in raw.items()}
