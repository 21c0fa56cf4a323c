"""Errors that mean a dependency is down (Postgres restarted, Redis unreachable), not that the
code is wrong. Each is a retryable 503 problem wherever it surfaces: in a route (the app's
exception handlers) or in a middleware around it, such as the Idempotency-Key claim."""

from __future__ import annotations

import asyncpg
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError

from fleetkit.problems import ProblemError

# A lost connection (Postgres restarted, network cut) is a retryable 503, not a 500.
DATABASE_CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    DBAPIError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.CannotConnectNowError,
    OSError,
)
# Redis restarting or unreachable (rate limits, caches, locks): also a retryable 503.
REDIS_CONNECTION_ERRORS: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError)


def database_unavailable() -> ProblemError:
    return ProblemError(
        503,
        "database-unavailable",
        "the database connection was lost; retry",
        headers={"Retry-After": "1"},
    )


def redis_unavailable() -> ProblemError:
    return ProblemError(
        503,
        "redis-unavailable",
        "a Redis this service needs is unreachable; retry",
        headers={"Retry-After": "1"},
    )


def outage_problem(exc: BaseException) -> ProblemError | None:
    """The 503 problem for `exc` when it is an outage; None when it is a real error."""
    if isinstance(exc, REDIS_CONNECTION_ERRORS):
        return redis_unavailable()
    if isinstance(exc, DBAPIError):
        return database_unavailable() if exc.connection_invalidated else None
    if isinstance(exc, DATABASE_CONNECTION_ERRORS):
        return database_unavailable()
    return None
