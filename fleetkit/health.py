"""The unauthenticated operational endpoints: `/health`, `/ready`, `/metrics`."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text

from fleetkit.metrics import render_metrics

router = APIRouter(tags=["operations"])
READY_TIMEOUT_SECONDS = 2.0


@router.get("/health", summary="Liveness: the process answers")
async def health(request: Request) -> dict[str, str]:
    return {"status": "ok", "service": request.app.state.settings.service_name}


async def _check_postgres(request: Request) -> None:
    async with request.app.state.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _check_redis(request: Request) -> None:
    await request.app.state.redis.ping()


async def _probe(name: str, check: Any, request: Request) -> tuple[str, str]:
    try:
        await asyncio.wait_for(check(request), READY_TIMEOUT_SECONDS)
    except Exception as exc:
        return name, f"down: {type(exc).__name__}"
    return name, "ok"


@router.get("/ready", summary="Readiness: Postgres and Redis answer")
async def ready(request: Request) -> JSONResponse:
    results = dict(
        await asyncio.gather(
            _probe("postgres", _check_postgres, request),
            _probe("redis", _check_redis, request),
        )
    )
    ok = all(state == "ok" for state in results.values())
    body = {"status": "ready" if ok else "not-ready", "checks": results}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics() -> Response:
    payload, content_type = render_metrics()
    return Response(payload, media_type=content_type)
