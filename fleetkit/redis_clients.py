"""Redis clients: the service's own Redis and the shared event bus."""

from __future__ import annotations

from redis.asyncio import Redis


def make_redis(url: str) -> Redis:
    """An asyncio Redis client with bounded timeouts, connecting lazily."""
    return Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30)
