"""Sign-in lockout: after a few failed passwords, the account waits, longer each time."""

from __future__ import annotations

from datetime import datetime, timedelta

FREE_ATTEMPTS = 5
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(hours=1)


def lock_after_failure(failures: int, now: datetime) -> datetime | None:
    """When the account may try again after its `failures`-th consecutive failure.

    The first `FREE_ATTEMPTS` failures cost nothing; from then on every failure locks the account
    for 30 s, doubling each time (30 s, 60 s, 120 s, ...), never more than an hour.
    """
    if failures < FREE_ATTEMPTS:
        return None
    doublings = min(failures - FREE_ATTEMPTS, 16)
    wait: timedelta = min(FIRST_LOCK * (2**doublings), LONGEST_LOCK)
    return now + wait
