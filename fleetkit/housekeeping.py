"""Periodic chores every service's worker runs (scheduled by each service's beat)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from sqlalchemy.ext.asyncio import AsyncEngine

from fleetkit.celery_app import IDEMPOTENT, run_use_case
from fleetkit.db import make_sessionmaker
from fleetkit.idempotency import prune_expired_keys

log = logging.getLogger("fleetkit.housekeeping")


async def _prune(engine: AsyncEngine) -> int:
    async with make_sessionmaker(engine)() as session, session.begin():
        return await prune_expired_keys(session)


@shared_task(name="fleetkit.prune_idempotency_keys", bind=True, **IDEMPOTENT)
def prune_idempotency_keys(self: Any) -> int:
    """Delete Idempotency-Key records past their retention; returns how many."""
    pruned = run_use_case(self, _prune)
    log.info("pruned %d expired idempotency keys", pruned)
    return pruned


BEAT_SCHEDULE = {
    "prune-idempotency-keys": {"task": "fleetkit.prune_idempotency_keys", "schedule": 3600.0},
}
