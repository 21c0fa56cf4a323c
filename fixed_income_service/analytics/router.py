"""Analytics API: a batch answered at once, or (over the sync limit) a Celery job with progress."""

from __future__ import annotations

import asyncio
import uuid
from functools import lru_cache
from typing import Any

from celery import Celery
from fastapi import APIRouter, Request, Response

from fixed_income_service.access import may_read_bonds
from fixed_income_service.analytics import repository, service
from fixed_income_service.analytics.schemas import AnalyticsRequest, JobPublic
from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep, driver_connection
from fleetkit.ids import new_id
from fleetkit.problems import ProblemError, not_found

router = APIRouter(tags=["analytics"])
RUN_JOB = "fixed_income.run_analytics_job"


@lru_cache
def celery_client(broker: str) -> Celery:
    """A bare client of the service's broker: the web process only sends tasks."""
    return Celery("fixed_income", broker=broker, backend=broker)


@router.post("/analytics/bonds:batch", response_model=None)
async def analyse_bonds(
    body: AnalyticsRequest,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    """Measures for every item, in request order; an item's own problem never fails the batch."""
    may_read_bonds(principal)
    conn = await driver_connection(session)
    settings = request.app.state.settings
    if len(body.items) > settings.sync_batch_limit:
        job_id = new_id()
        await repository.insert_job(
            conn, job_id, principal.tenant_id, principal.subject, len(body.items),
            body.model_dump_json(by_alias=True),
        )  # fmt: skip
        # The worker must find the job row: commit before the task is sent.
        await session.commit()
        client = celery_client(settings.redis_url.get_secret_value())
        await asyncio.to_thread(client.send_task, RUN_JOB, args=[str(job_id)])
        response.status_code = 202
        response.headers["Location"] = f"/v1/jobs/{job_id}"
        return {"job": job_view(job_id, "queued", 0, len(body.items)).model_dump(mode="json")}
    parsed = [service.parse_item(raw) for raw in body.items]
    stored = await service.stored_terms(conn, parsed)
    curves = await service.stored_curves(conn, parsed)
    results = await asyncio.to_thread(service.run_batch, body, parsed, stored, curves)
    return service.envelope(body, results)


def job_view(
    job_id: uuid.UUID, state: str, done: int, total: int, error: str | None = None
) -> JobPublic:
    """A job as the API shows it (the result link once it succeeded)."""
    link = f"/v1/jobs/{job_id}/result" if state == "succeeded" else None
    return JobPublic(id=job_id, state=state, done=done, total=total, result=link, error=error)


@router.get("/jobs/{job_id}", response_model=JobPublic)
async def get_job(job_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> JobPublic:
    """A batch job's state and progress (`done` of `total` items), and its result link."""
    may_read_bonds(principal)
    conn = await driver_connection(session)
    row = await repository.get_job(conn, job_id, principal.tenant_id, principal.subject)
    if row is None:
        raise not_found("job")
    return job_view(row["id"], row["state"], row["done"], row["total"], row["error"])


@router.get("/jobs/{job_id}/result", response_model=None)
async def get_job_result(
    job_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """The finished job's batch answer (the same shape as a synchronous batch)."""
    may_read_bonds(principal)
    conn = await driver_connection(session)
    row = await repository.get_job(conn, job_id, principal.tenant_id, principal.subject)
    if row is None:
        raise not_found("job")
    if row["state"] != "succeeded":
        raise ProblemError(409, "job-not-finished", f"the job is {row['state']}")
    result = await repository.job_result(conn, job_id, principal.tenant_id, principal.subject)
    return Response(result, media_type="application/json")
