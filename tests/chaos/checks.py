"""What must hold once the faults stop and the fleet is back: read from the services' own
databases and the bus Redis, independently of the code under test's answers."""

from __future__ import annotations

from typing import Any

import psycopg
import redis

from fleetkit.settings import SERVICES
from fleetkit.testing.fleet import Fleet

UNRESOLVED_OVERDUE_HOLDS = """
SELECT count(*) FROM transactions hold
WHERE hold.kind = 'pending' AND hold.expires_at < now() - interval '30 seconds'
  AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.target_id = hold.id)
"""
UNBALANCED_ASSETS = """
SELECT asset_code, sum(debits_posted - credits_posted), sum(debits_pending - credits_pending)
FROM accounts GROUP BY asset_code
HAVING sum(debits_posted - credits_posted) <> 0 OR sum(debits_pending - credits_pending) <> 0
"""

UNPUBLISHED = """
SELECT count(*), count(*) FILTER (WHERE created_at < now() - interval '1 minute')
FROM outbox WHERE published_at IS NULL
"""


def query(fleet: Fleet, service: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(fleet.libpq_url(service)) as connection:
        return connection.execute(sql, params).fetchall()


def duplicates(fleet: Fleet, service: str, table: str, column: str, tenant: str) -> dict[str, int]:
    """Business ids stored more than once, and every stored id with its count."""
    rows = query(fleet, service, f"SELECT {column}::text, count(*) FROM {table} "
                 "WHERE tenant_id = %s GROUP BY 1", tenant)  # fmt: skip
    return {row[0]: row[1] for row in rows}


def unpublished_outbox(fleet: Fleet) -> dict[str, tuple[int, int]]:
    """service → (unpublished rows, of which older than a minute), where any are left."""
    left = {}
    for service in SERVICES:
        [(rows, old)] = query(fleet, service, UNPUBLISHED)
        if rows:
            left[service] = (rows, old)
    return left


def stream_backlog(fleet: Fleet) -> dict[str, int]:
    """'stream/group' → messages delivered but not acknowledged, or never read, where any."""
    bus = redis.Redis.from_url(fleet.bus_redis_url, decode_responses=True)
    left = {}
    try:
        for stream in bus.scan_iter("fleet.*"):
            for group in bus.xinfo_groups(stream):
                waiting = int(group["pending"]) + int(group.get("lag") or 0)
                if waiting:
                    left[f"{stream}/{group['name']}"] = waiting
    finally:
        bus.close()
    return left


def dead_letters(fleet: Fleet) -> dict[str, int]:
    bus = redis.Redis.from_url(fleet.bus_redis_url, decode_responses=True)
    try:
        return {key: int(bus.xlen(key)) for key in bus.scan_iter("fleet.dead-letter.*")}
    finally:
        bus.close()
