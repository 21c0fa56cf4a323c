"""SQL for analytics jobs (each belongs to the caller's tenant)."""

from __future__ import annotations

import json
import uuid
from typing import Any

_COLUMNS = "id, tenant_id, state, done, total, error"


async def insert_job(
    conn: Any, job_id: uuid.UUID, tenant_id: str | None, subject: str, total: int, request: str
) -> None:
    """A queued job holding the whole request."""
    await conn.execute(
        "INSERT INTO analytics_jobs (id, tenant_id, subject, state, total, request) "
        "VALUES ($1, $2, $3, 'queued', $4, $5::jsonb)",
        job_id, tenant_id, subject, total, request,
    )  # fmt: skip


# A caller without a tenant (a bare service token) sees only the jobs it started itself.
_OWNED = "AND tenant_id IS NOT DISTINCT FROM $2 AND (tenant_id IS NOT NULL OR subject = $3)"


async def get_job(conn: Any, job_id: uuid.UUID, tenant_id: str | None, subject: str) -> Any:
    """The job if it belongs to `tenant_id` (jobs of another tenant do not exist for it)."""
    return await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM analytics_jobs WHERE id = $1 {_OWNED}",
        job_id, tenant_id, subject,
    )  # fmt: skip


async def job_result(conn: Any, job_id: uuid.UUID, tenant_id: str | None, subject: str) -> Any:
    """The finished job's answer as JSON text, or None."""
    return await conn.fetchval(
        f"SELECT result::text FROM analytics_jobs WHERE id = $1 {_OWNED} AND state = 'succeeded'",
        job_id, tenant_id, subject,
    )  # fmt: skip


async def start_job(conn: Any, job_id: uuid.UUID) -> str | None:
    """Mark the job running and return its request; None if it already finished."""
    request: str | None = await conn.fetchval(
        "UPDATE analytics_jobs SET state = 'running', done = 0, updated_at = now() "
        "WHERE id = $1 AND state IN ('queued', 'running') RETURNING request::text",
        job_id,
    )
    return request


async def record_progress(conn: Any, job_id: uuid.UUID, done: int) -> None:
    """How many items are priced so far."""
    await conn.execute(
        "UPDATE analytics_jobs SET done = $2, updated_at = now() WHERE id = $1", job_id, done
    )


async def finish_job(conn: Any, job_id: uuid.UUID, result: dict[str, Any]) -> None:
    """Store the answer and mark the job succeeded."""
    await conn.execute(
        "UPDATE analytics_jobs SET state = 'succeeded', done = total, result = $2::jsonb, "
        "updated_at = now() WHERE id = $1",
        job_id, json.dumps(result),
    )  # fmt: skip


async def fail_job(conn: Any, job_id: uuid.UUID, error: str) -> None:
    """Mark the job failed with a reason clients may see."""
    await conn.execute(
        "UPDATE analytics_jobs SET state = 'failed', error = $2, updated_at = now() WHERE id = $1",
        job_id, error,
    )  # fmt: skip
