"""Per-principal request budgets kept in Redis, answered with `Retry-After` when spent."""

from __future__ import annotations

import time
from typing import Any

from fleetkit.problems import ProblemError
from portfolio_service.domain.rate_limits import WINDOW_SECONDS, spend


async def charge(redis: Any, principal_key: str, limit: int) -> None:
    """Count one request of `principal_key`; a 429 problem when its minute is spent."""
    now = int(time.time())
    window = now // WINDOW_SECONDS
    key = f"ratelimit:{principal_key}:{window}"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS + 5)
        count, _ = await pipe.execute()
    budget = spend(int(count), limit, now % WINDOW_SECONDS)
    if not budget.allowed:
        raise ProblemError(
            429,
            "rate-limited",
            f"more than {limit} requests in a minute",
            headers={"Retry-After": str(budget.retry_after_seconds)},
        )
