"""Per-principal request budgets: a fixed window per minute."""

from __future__ import annotations

from dataclasses import dataclass

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Budget:
    """The answer to one request: allowed or not, and how long to wait when not."""

    allowed: bool
    remaining: int
    retry_after_seconds: int


def spend(count_in_window: int, limit: int, seconds_into_window: int) -> Budget:
    """Whether the `count_in_window`-th request of this window fits in `limit`."""
    if count_in_window <= limit:
        return Budget(True, limit - count_in_window, 0)
    return Budget(False, 0, max(1, WINDOW_SECONDS - seconds_into_window))
