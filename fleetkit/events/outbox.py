"""Writing events: in the same transaction as the state change they describe."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.events.envelope import Event, stream_of
from fleetkit.events.models import OutboxRecord
from fleetkit.request_context import (
    causation_id_var,
    correlation_id_var,
    request_id_var,
    traceparent_var,
)


def emit(
    session: AsyncSession,
    *,
    producer: str,
    type: str,
    payload: dict[str, Any],
    tenant_id: str | None = None,
    version: int = 1,
) -> Event:
    """Add an event to the outbox; it is relayed only if the transaction commits."""
    event = Event(
        type=type,
        version=version,
        producer=producer,
        tenant_id=tenant_id,
        correlation_id=correlation_id_var.get() or request_id_var.get(),
        causation_id=causation_id_var.get(),
        traceparent=traceparent_var.get(),
        payload=payload,
    )
    session.add(
        OutboxRecord(
            id=event.id,
            stream=stream_of(producer),
            type=event.type,
            envelope=event.model_dump(mode="json"),
        )
    )
    return event
