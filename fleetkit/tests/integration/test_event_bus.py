"""The event bus end to end on real Postgres and Redis: outbox → relay → stream → consumer."""

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select, update

from fleetkit.db import make_sessionmaker
from fleetkit.events import Event, emit
from fleetkit.events.consumer import ConsumerOptions, EventConsumer
from fleetkit.events.envelope import dead_letter_stream_of, stream_of
from fleetkit.events.models import InboxRecord, OutboxRecord
from fleetkit.events.relay import OutboxRelay

PRODUCER = "equity"
CONSUMER = "ledger"


@pytest.fixture
def sessions(committed):
    return make_sessionmaker(committed)


@pytest.fixture
def relay(sessions, bus):
    return OutboxRelay(PRODUCER, sessions, bus)


class Recorder:
    """A handler that remembers what it saw, and can be told to fail."""

    def __init__(self, failures: int = 0):
        self.seen: list[Event] = []
        self.failures = failures

    async def __call__(self, session, event):
        self.seen.append(event)
        if self.failures:
            self.failures -= 1
            raise RuntimeError("handler failed")


def make_consumer(sessions, bus, handler, **options):
    return EventConsumer(
        CONSUMER,
        sessions,
        bus,
        {PRODUCER: {"order.filled": handler}},
        ConsumerOptions(block_ms=10, consumer_name="test-consumer", **options),
    )


async def emit_committed(sessions, payload, *, commit=True):
    async with sessions() as session:
        event = emit(
            session, producer=PRODUCER, type="order.filled", payload=payload, tenant_id="tenant-a"
        )
        if commit:
            await session.commit()
        else:
            await session.rollback()
    return event


async def inbox_ids(sessions):
    async with sessions() as session:
        return set((await session.scalars(select(InboxRecord.event_id))).all())


async def test_committed_event_is_relayed_to_the_producers_stream(sessions, relay, bus):
    event = await emit_committed(sessions, {"order_id": "o-1", "qty": "10"})

    assert await relay.relay_batch() == 1

    entries = await bus.xrange(stream_of(PRODUCER))
    assert len(entries) == 1
    relayed = Event.from_stream_fields({k.decode(): v.decode() for k, v in entries[0][1].items()})
    assert relayed.id == event.id
    assert relayed.payload == {"order_id": "o-1", "qty": "10"}
    assert relayed.tenant_id == "tenant-a"
    assert await relay.measure_backlog() == 0


async def test_rolled_back_event_is_never_relayed(sessions, relay, bus):
    await emit_committed(sessions, {"order_id": "o-2"}, commit=False)

    assert await relay.relay_batch() == 0
    assert await bus.exists(stream_of(PRODUCER)) == 0


async def test_backlog_counts_events_waiting_for_the_relay(sessions, relay):
    for n in range(3):
        await emit_committed(sessions, {"n": n})

    assert await relay.measure_backlog() == 3
    await relay.relay_batch()
    assert await relay.measure_backlog() == 0


async def test_a_stopped_relay_publishes_the_committed_backlog_before_returning(sessions, bus):
    relay = OutboxRelay(PRODUCER, sessions, bus, batch_size=2)  # three batches to drain
    for n in range(5):
        await emit_committed(sessions, {"n": n})
    stop = asyncio.Event()
    stop.set()  # SIGTERM came before the relay's first round

    await relay.run(stop)

    assert await bus.xlen(stream_of(PRODUCER)) == 5
    assert await relay.measure_backlog() == 0


async def test_event_survives_the_consumer_being_down(sessions, relay, bus):
    handler = Recorder()
    first = make_consumer(sessions, bus, handler)
    await first.ensure_groups()  # the consumer existed once, then went down

    event = await emit_committed(sessions, {"order_id": "o-3"})
    await relay.relay_batch()
    assert handler.seen == []

    restarted = make_consumer(sessions, bus, handler)
    await restarted.ensure_groups()
    assert await restarted.consume_once() == 1

    assert [seen.id for seen in handler.seen] == [event.id]
    assert await inbox_ids(sessions) == {event.id}
    assert (await bus.xpending(stream_of(PRODUCER), CONSUMER))["pending"] == 0


async def test_duplicate_delivery_after_relay_crash_is_absorbed_by_the_inbox(sessions, relay, bus):
    event = await emit_committed(sessions, {"order_id": "o-4"})
    await relay.relay_batch()
    # The relay crashed after XADD and before marking the row: it publishes the row again.
    async with sessions() as session, session.begin():
        await session.execute(update(OutboxRecord).values(published_at=None))
    await relay.relay_batch()
    assert await bus.xlen(stream_of(PRODUCER)) == 2

    handler = Recorder()
    consumer = make_consumer(sessions, bus, handler)
    await consumer.ensure_groups()
    assert await consumer.consume_once() == 2

    assert [seen.id for seen in handler.seen] == [event.id]
    assert (await bus.xpending(stream_of(PRODUCER), CONSUMER))["pending"] == 0


async def test_failed_handler_writes_nothing_and_is_retried_after_reclaim(sessions, relay, bus):
    event = await emit_committed(sessions, {"order_id": "o-5"})
    await relay.relay_batch()
    handler = Recorder(failures=1)
    consumer = make_consumer(sessions, bus, handler, reclaim_idle_ms=1)
    await consumer.ensure_groups()

    await consumer.consume_once()
    assert await inbox_ids(sessions) == set()
    assert (await bus.xpending(stream_of(PRODUCER), CONSUMER))["pending"] == 1

    await asyncio.sleep(0.01)
    assert await consumer.reclaim_stale() == 1

    assert [seen.id for seen in handler.seen] == [event.id, event.id]
    assert await inbox_ids(sessions) == {event.id}
    assert (await bus.xpending(stream_of(PRODUCER), CONSUMER))["pending"] == 0


async def test_message_that_keeps_failing_lands_in_the_dead_letter_stream(sessions, relay, bus):
    event = await emit_committed(sessions, {"order_id": "o-6"})
    await relay.relay_batch()
    handler = Recorder(failures=1_000)
    consumer = make_consumer(sessions, bus, handler, reclaim_idle_ms=1, max_deliveries=3)
    await consumer.ensure_groups()

    await consumer.consume_once()
    for _ in range(5):
        await asyncio.sleep(0.01)
        await consumer.reclaim_stale()

    assert len(handler.seen) == 3
    dead = await bus.xrange(dead_letter_stream_of(CONSUMER))
    assert len(dead) == 1
    fields = {k.decode(): v.decode() for k, v in dead[0][1].items()}
    assert Event.from_stream_fields(fields).id == event.id
    assert fields["reason"] == "max deliveries"
    assert fields["source_stream"] == stream_of(PRODUCER)
    assert (await bus.xpending(stream_of(PRODUCER), CONSUMER))["pending"] == 0
    assert await inbox_ids(sessions) == set()


async def test_malformed_entry_goes_straight_to_the_dead_letter_stream(sessions, bus):
    consumer = make_consumer(sessions, bus, Recorder())
    await consumer.ensure_groups()
    await bus.xadd(stream_of(PRODUCER), {"envelope": "{not json"})

    await consumer.consume_once()

    dead = await bus.xrange(dead_letter_stream_of(CONSUMER))
    assert len(dead) == 1
    assert dead[0][1][b"reason"].startswith(b"malformed")
    assert (await bus.xpending(stream_of(PRODUCER), CONSUMER))["pending"] == 0


async def test_message_left_by_a_dead_consumer_is_taken_over(sessions, relay, bus):
    handler = Recorder()
    consumer = make_consumer(sessions, bus, handler, reclaim_idle_ms=1)
    await consumer.ensure_groups()
    event = await emit_committed(sessions, {"order_id": "o-7"})
    await relay.relay_batch()
    # Another instance read it and died before acknowledging.
    await bus.xreadgroup(CONSUMER, "crashed-instance", {stream_of(PRODUCER): ">"}, count=10)

    await asyncio.sleep(0.01)
    assert await consumer.reclaim_stale() == 1

    assert [seen.id for seen in handler.seen] == [event.id]
    assert (await bus.xpending(stream_of(PRODUCER), CONSUMER))["pending"] == 0


async def test_event_without_a_handler_is_acknowledged_and_noted(sessions, bus):
    consumer = make_consumer(sessions, bus, Recorder())
    await consumer.ensure_groups()
    other = Event(type="order.canceled", producer=PRODUCER, payload={})
    await bus.xadd(stream_of(PRODUCER), other.to_stream_fields())

    await consumer.consume_once()

    async with sessions() as session:
        note = await session.scalar(
            select(InboxRecord.note).where(InboxRecord.event_id == other.id)
        )
        assert note == "no handler"
        assert await session.scalar(select(func.count()).select_from(InboxRecord)) == 1


async def test_handler_sees_the_events_ids_as_causation_and_correlation(sessions, relay, bus):
    from fleetkit.request_context import causation_id_var, correlation_id_var

    seen: dict[str, Any] = {}

    async def handler(session, event):
        seen["causation"] = causation_id_var.get()
        seen["correlation"] = correlation_id_var.get()
        seen["child"] = emit(session, producer=CONSUMER, type="entry.posted", payload={})

    event = await emit_committed(sessions, {"order_id": "o-8"})
    await relay.relay_batch()
    consumer = make_consumer(sessions, bus, handler)
    await consumer.ensure_groups()
    await consumer.consume_once()

    assert seen["causation"] == str(event.id)
    assert seen["child"].causation_id == str(event.id)
    assert seen["child"].correlation_id == seen["correlation"]


async def test_failed_commit_is_an_error_answer_not_a_success(app, auth_headers):
    import httpx

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/v1/echo/commit-fails", headers=auth_headers())

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"


async def test_driver_connection_is_inside_the_sessions_transaction(committed):
    from fleetkit.db import driver_connection

    sessions = make_sessionmaker(committed)
    async with sessions() as session:
        conn = await driver_connection(session)
        assert conn.is_in_transaction()
        await conn.execute(
            "INSERT INTO inbox (event_id, consumer, stream, type) "
            "VALUES (gen_random_uuid(), 'c', 's', 't')"
        )
        await session.rollback()
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(InboxRecord))
    assert count == 0
