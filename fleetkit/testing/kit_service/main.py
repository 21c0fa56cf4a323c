"""The kit's test service: only what `create_fleet_app` gives, plus the probe and an echo."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from redis.asyncio import Redis

from fleetkit import probes
from fleetkit.app import create_fleet_app
from fleetkit.db import SessionDep
from fleetkit.events.models import OutboxRecord
from fleetkit.ids import new_id
from fleetkit.testing.kit_service.config import Settings

router = APIRouter(prefix="/echo", tags=["test"])


class EchoCreate(BaseModel):
    amount: Decimal
    note: str = ""


class EchoPublic(BaseModel):
    amount: str
    note: str
    sequence: int


_calls = {"count": 0}


@router.post("", status_code=201, response_model=EchoPublic)
async def create_echo(body: EchoCreate) -> EchoPublic:
    """Answers with a sequence number, so a replayed response can be told from a rerun."""
    _calls["count"] += 1
    return EchoPublic(amount=str(body.amount), note=body.note, sequence=_calls["count"])


@router.post("/boom", status_code=201)
async def explode() -> None:
    raise RuntimeError("unexpected failure inside a handler")


@router.post("/unreachable-redis", status_code=201)
async def use_unreachable_redis() -> None:
    """Talks to a Redis nothing listens for (port 1): what a handler sees while Redis restarts."""
    client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    try:
        await client.ping()
    finally:
        await client.aclose()


@router.post("/commit-fails", status_code=202)
async def commit_fails(session: SessionDep) -> dict[str, str]:
    """Writes two outbox rows with one id: the handler returns, the commit then fails."""
    event_id = new_id()
    for _ in range(2):
        session.add(OutboxRecord(id=event_id, stream="s", type="t", envelope={}))
    return {"status": "accepted"}


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_fleet_app(
        settings or Settings(), title="Kit test service", routers=[probes.router, router]
    )
