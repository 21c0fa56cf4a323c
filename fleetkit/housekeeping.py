"""Periodic chores every service's worker runs (scheduled by each service's beat)."""

from __future__ import annotations

import asyncio
import logging

from celery import current_app, shared_task

from fleetkit.celery_app import IDEMPOTENT
from fleetkit.db import make_sessionmaker
from fleetkit.idempotency import prune_expired_keys

log = logging.getLogger("fleetkit.housekeeping")


async def _prune(database_url: str) -> int:
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await prune_expired_keys(session)
    finally:
        await engine.dispose()


@shared_task(name="fleetkit.prune_idempotency_keys", **IDEMPOTENT)
def prune_idempotency_keys() -> int:
    """Delete Idempotency-Key records past their retention; returns how many."""
    pruned = asyncio.run(_prune(current_app.conf["fleet_database_url"]))
    log.info("pruned %d expired idempotency keys", pruned)
    return pruned


BEAT_SCHEDULE = {
    "prune-idempotency-keys": {"task": "fleetkit.prune_idempotency_keys", "schedule": 3600.0},
}
