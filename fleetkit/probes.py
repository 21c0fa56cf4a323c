"""The fleet probe: an event any service can send and every other service acknowledges.

Operators (and the end-to-end suite) use it to prove the bus works: `POST /v1/probes` writes
a `fleet.probe.sent` event through the outbox; every consumer records it in its inbox;
`GET /v1/probes/{id}` on any service tells whether that service has received it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.db import SessionDep
from fleetkit.events import Event, emit
from fleetkit.events.consumer import Subscriptions
from fleetkit.events.models import InboxRecord
from fleetkit.settings import SERVICES

PROBE_SENT = "fleet.probe.sent"
log = logging.getLogger("fleetkit.probes")
router = APIRouter(prefix="/probes", tags=["operations"])


class ProbeCreate(BaseModel):
    message: str = Field(default="ping", max_length=200)


class ProbePublic(BaseModel):
    id: uuid.UUID
    producer: str
    message: str


class ProbeReceipt(BaseModel):
    id: uuid.UUID
    consumer: str
    received: bool
    received_at: datetime | None = None


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=ProbePublic)
async def send_probe(body: ProbeCreate, request: Request, session: SessionDep) -> ProbePublic:
    """Publish a probe event from this service to every subscriber."""
    service = request.app.state.settings.service_name
    principal = request.state.principal
    event = emit(
        session,
        producer=service,
        type=PROBE_SENT,
        payload={"message": body.message},
        tenant_id=principal.tenant_id,
    )
    return ProbePublic(id=event.id, producer=service, message=body.message)


@router.get("/{probe_id}", response_model=ProbeReceipt)
async def probe_receipt(probe_id: uuid.UUID, request: Request, session: SessionDep) -> ProbeReceipt:
    """Whether this service has received the probe `probe_id`."""
    service = request.app.state.settings.service_name
    handled_at = await session.scalar(
        select(InboxRecord.handled_at).where(
            InboxRecord.event_id == probe_id, InboxRecord.consumer == service
        )
    )
    return ProbeReceipt(
        id=probe_id, consumer=service, received=handled_at is not None, received_at=handled_at
    )


async def acknowledge_probe(session: AsyncSession, event: Event) -> None:
    """Consumer side: the inbox row written with this call is the acknowledgement."""
    log.info("probe %s from %s received", event.id, event.producer)


def probe_subscriptions(service: str) -> Subscriptions:
    """Every other service's probes, acknowledged by `service`."""
    return {
        producer: {PROBE_SENT: acknowledge_probe} for producer in SERVICES if producer != service
    }
