"""The event envelope every service writes and reads (DESIGN.md §4)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from fleetkit.ids import new_id

STREAM_PREFIX = "fleet."
ENVELOPE_FIELD = "envelope"


def stream_of(service: str) -> str:
    """The stream a service publishes to: `fleet.<service>`."""
    return STREAM_PREFIX + service


def dead_letter_stream_of(consumer: str) -> str:
    """Where a consuming service parks messages it could not handle."""
    return f"{STREAM_PREFIX}dead-letter.{consumer}"


class Event(BaseModel):
    """One business fact, as it travels between services."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID = Field(default_factory=new_id)
    type: str
    version: int = 1
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    producer: str
    tenant_id: str | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    traceparent: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict)

    def to_stream_fields(self) -> dict[str, str]:
        """The Redis Stream entry for this event."""
        return {ENVELOPE_FIELD: self.model_dump_json(), "type": self.type}

    @classmethod
    def from_stream_fields(cls, fields: dict[str, str]) -> Event:
        """Parse a stream entry; raises ValueError when it is not an envelope."""
        raw = fields.get(ENVELOPE_FIELD)
        if raw is None:
            raise ValueError("stream entry has no envelope field")
        return cls.model_validate(json.loads(raw))
