"""The fleet's event bus: transactional outbox → Redis Streams → consumer groups with an inbox."""

from fleetkit.events.envelope import Event
from fleetkit.events.outbox import emit

__all__ = ["Event", "emit"]
