"""The Celery job behind large analytics batches: chunks, progress after each, result at the end."""

from __future__ import annotations

import uuid
from typing import Any

from celery import shared_task
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from fixed_income_service.analytics import repository, service
from fixed_income_service.analytics.schemas import AnalyticsRequest
from fleetkit.celery_app import IDEMPOTENT, run_use_case
from fleetkit.db import driver_connection

CHUNK = 5_000


async def run_job(engine: AsyncEngine, job_id: uuid.UUID, chunk: int = CHUNK) -> str:
    """Price the job's items chunk by chunk, committing progress; returns the final state."""
    async with AsyncSession(engine) as session:
        conn = await driver_connection(session)
        raw = await repository.start_job(conn, job_id)
        await session.commit()
    if raw is None:
        return "finished"
    request = AnalyticsRequest.model_validate_json(raw)
    results: list[dict[str, Any]] = []
    for first in range(0, len(request.items), chunk):
        async with AsyncSession(engine) as session:
            conn = await driver_connection(session)
            parsed = [service.parse_item(item) for item in request.items[first : first + chunk]]
            stored = await service.stored_terms(conn, parsed)
            curves = await service.stored_curves(conn, parsed)
            for entry in service.run_batch(request, parsed, stored, curves):
                entry["index"] += first
                results.append(entry)
            await repository.record_progress(conn, job_id, len(results))
            await session.commit()
    async with AsyncSession(engine) as session:
        await repository.finish_job(
            await driver_connection(session), job_id, service.envelope(request, results)
        )
        await session.commit()
    return "succeeded"


async def mark_failed(engine: AsyncEngine, job_id: uuid.UUID, error: str) -> None:
    """Record that the job could not finish."""
    async with AsyncSession(engine) as session:
        await repository.fail_job(await driver_connection(session), job_id, error)
        await session.commit()


@shared_task(name="fixed_income.run_analytics_job", bind=True, **IDEMPOTENT)
def run_analytics_job(self: Any, job_id: str) -> str:
    """Run one analytics job; a rerun after a crash starts it over (results are pure)."""
    identifier = uuid.UUID(job_id)
    try:
        return run_use_case(self, lambda engine: run_job(engine, identifier))
    except Exception as exc:
        error = f"{type(exc).__name__}: the job could not finish"
        run_use_case(self, lambda engine: mark_failed(engine, identifier, error))
        raise
