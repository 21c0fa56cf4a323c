"""Lease events (payloads documented in docs/realestate.md)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.events.outbox import emit
from realestate_service.leases.models import Lease

PRODUCER = "realestate"


def lease_activated(session: AsyncSession, lease: Lease) -> None:
    emit(
        session,
        producer=PRODUCER,
        type="realestate.lease.activated",
        payload={
            "lease_id": str(lease.id),
            "unit_id": str(lease.unit_id),
            "renter_id": str(lease.renter_id),
            "start_on": lease.start_on.isoformat(),
            "end_on": lease.end_on.isoformat() if lease.end_on else None,
            "renewal_of": str(lease.renewal_of) if lease.renewal_of else None,
        },
        tenant_id=lease.tenant_id,
    )


def lease_ended(session: AsyncSession, lease: Lease) -> None:
    emit(
        session,
        producer=PRODUCER,
        type="realestate.lease.ended",
        payload={
            "lease_id": str(lease.id),
            "unit_id": str(lease.unit_id),
            "status": lease.status,
            "moved_out_on": lease.moved_out_on.isoformat() if lease.moved_out_on else None,
            "reason": lease.termination_reason,
        },
        tenant_id=lease.tenant_id,
    )
