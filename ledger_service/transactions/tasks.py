"""Hold expiry: pending holds past their `expires_at` are expired, releasing what they reserved.

Beat runs the sweep every 10 s. Each run takes a bounded batch of overdue holds, oldest expiry
first, and applies one `expire_hold` per hold through the posting path (so the pending totals
are released, entries written and `ledger.hold.expired` emitted), one database transaction per
tenant. The expiry's id is derived from the hold, so two sweeps racing expire it once.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from typing import Any

import asyncpg
from celery import shared_task
from sqlalchemy.ext.asyncio import AsyncEngine

from fleetkit.celery_app import IDEMPOTENT, run_use_case
from fleetkit.db import driver_connection, make_sessionmaker
from ledger_service.domain.transactions import EXPIRE_HOLD
from ledger_service.transactions.commands import resolution_command
from ledger_service.transactions.service import apply_commands

log = logging.getLogger("ledger_service.holds")
SWEEP_BATCH = 1_000

OVERDUE_HOLDS = """
    SELECT t.tenant_id, t.id FROM transactions t
    WHERE t.kind = 'pending' AND t.expires_at <= now()
      AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.target_id = t.id
                      AND r.kind IN ('post_hold', 'void_hold', 'expire_hold'))
    ORDER BY t.expires_at, t.id
    LIMIT $1
"""


async def overdue_holds(conn: Any, limit: int) -> dict[str, list[uuid.UUID]]:
    """Unresolved holds whose expiry has passed, by tenant (at most `limit` in all)."""
    by_tenant: dict[str, list[uuid.UUID]] = defaultdict(list)
    for row in await conn.fetch(OVERDUE_HOLDS, limit):
        by_tenant[row["tenant_id"]].append(row["id"])
    return dict(by_tenant)


async def expire_overdue_holds(engine: AsyncEngine, *, limit: int = SWEEP_BATCH) -> int:
    """Expire up to `limit` overdue holds; returns how many this run expired."""
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        by_tenant = await overdue_holds(await driver_connection(session), limit)
    expired = 0
    for tenant_id, hold_ids in by_tenant.items():
        commands = [resolution_command(hold, EXPIRE_HOLD, None, {}) for hold in hold_ids]
        try:
            # Committed explicitly, not in `session.begin()`: apply_commands may roll back and
            # decide again inside the session when it loses a race.
            async with sessionmaker() as session:
                applied = await apply_commands(session, tenant_id, commands)
                await session.commit()
        except asyncpg.UniqueViolationError:
            # A hold kept being resolved by others between our read and our lock (the posting
            # path re-decides a few times first): the database kept the first resolution.
            # This tenant's other holds go in the next run.
            log.warning("a hold of tenant %s was resolved during the sweep", tenant_id)
            continue
        expired += sum(1 for outcome in applied.outcomes if outcome.status == "created")
    if expired:
        log.info("expired %d holds", expired)
    return expired


@shared_task(name="ledger.expire_overdue_holds", bind=True, **IDEMPOTENT)
def sweep_expired_holds(self: Any) -> int:
    """Expire the holds whose `expires_at` has passed; returns how many."""
    return run_use_case(self, expire_overdue_holds)
