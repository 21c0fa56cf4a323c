"""The relay: moves committed outbox rows to the service's stream on the shared Redis.

A row is marked published only after XADD succeeded, so a crash in between publishes it again;
consumers absorb the duplicate through their inbox (at-least-once delivery). On a graceful stop
(SIGTERM) the relay first drains what is committed, for a bounded time; what it cannot reach
stays in the outbox for the next relay.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import UTC, datetime

from redis.asyncio import Redis
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fleetkit.events.envelope import ENVELOPE_FIELD
from fleetkit.events.models import OutboxRecord
from fleetkit.metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG

log = logging.getLogger("fleetkit.relay")
STREAM_MAX_LENGTH = 1_000_000
DRAIN_SECONDS = 10.0


class OutboxRelay:
    """Publishes one service's outbox in id (time) order, in batches."""

    def __init__(
        self,
        service: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        bus: Redis,
        *,
        batch_size: int = 100,
        idle_interval: float = 0.2,
    ):
        self.service = service
        self.sessionmaker = sessionmaker
        self.bus = bus
        self.batch_size = batch_size
        self.idle_interval = idle_interval

    async def relay_batch(self) -> int:
        """Publish up to one batch of unpublished events; returns how many were published."""
        async with self.sessionmaker() as session, session.begin():
            rows = (
                await session.scalars(
                    select(OutboxRecord)
                    .where(OutboxRecord.published_at.is_(None))
                    .order_by(OutboxRecord.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            async with self.bus.pipeline(transaction=False) as pipe:
                for row in rows:
                    pipe.xadd(
                        row.stream,
                        {ENVELOPE_FIELD: json.dumps(row.envelope), "type": row.type},
                        maxlen=STREAM_MAX_LENGTH,
                        approximate=True,
                    )
                await pipe.execute()
            await session.execute(
                update(OutboxRecord)
                .where(OutboxRecord.id.in_([row.id for row in rows]))
                .values(published_at=datetime.now(UTC))
            )
        EVENTS_PUBLISHED.labels(self.service).inc(len(rows))
        return len(rows)

    async def measure_backlog(self) -> int:
        """Count unpublished events and export the number as `fleet_outbox_backlog`."""
        async with self.sessionmaker() as session:
            backlog = await session.scalar(
                select(func.count()).where(OutboxRecord.published_at.is_(None))
            )
        OUTBOX_BACKLOG.labels(self.service).set(backlog or 0)
        return backlog or 0

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set, then drain; failures are logged and retried after a pause."""
        last_measure = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                published = await self.relay_batch()
                if loop.time() - last_measure > 5:
                    await self.measure_backlog()
                    last_measure = loop.time()
            except Exception:
                log.exception("relay failed; retrying")
                published = 0
                await _sleep_unless(stop, 1.0)
            if published == 0:
                await _sleep_unless(stop, self.idle_interval)
        await self.drain(DRAIN_SECONDS)

    async def drain(self, seconds: float) -> int:
        """Publish the backlog before stopping, for at most `seconds`: rows another transaction
        still holds are waited for. Returns how many were published; the rest is left for the
        next relay (nothing is lost, only later)."""
        loop = asyncio.get_running_loop()
        deadline, drained = loop.time() + seconds, 0
        while loop.time() < deadline:
            try:
                published = await self.relay_batch()
                drained += published
                if published == 0 and await self.measure_backlog() == 0:
                    break
            except Exception:
                log.exception("relay drain failed; the rest stays in the outbox")
                break
            if published == 0:
                await asyncio.sleep(self.idle_interval)
        log.info("relay drained %d events before stopping", drained)
        return drained


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
