"""Reading the audit log (owners, managers and accountants: the people who answer for it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.pagination import Cursor, Limit, decode_cursor, encode_cursor
from realestate_service.access import may_export
from realestate_service.audit.models import AuditEntry

router = APIRouter(tags=["audit"])


@router.get("/audit-log")
async def audit_log(
    principal: CurrentPrincipal, session: SessionDep, cursor: Cursor = None, limit: Limit = 100
) -> dict[str, Any]:
    """Sensitive changes, newest first: who, when, what, before and after, request id."""
    tenant = may_export(principal)
    before_seq = decode_cursor(cursor, 0)
    query = select(AuditEntry).where(AuditEntry.tenant_id == tenant)
    if before_seq:
        query = query.where(AuditEntry.seq < before_seq)
    rows = list(
        (await session.execute(query.order_by(AuditEntry.seq.desc()).limit(limit + 1))).scalars()
    )
    items = [
        {
            "at": row.at.isoformat(),
            "actor": row.actor,
            "action": row.action,
            "object_type": row.object_type,
            "object_id": row.object_id,
            "before": row.before,
            "after": row.after,
            "request_id": row.request_id,
        }
        for row in rows[:limit]
    ]
    next_cursor = encode_cursor(rows[limit - 1].seq) if len(rows) > limit else None
    return {"items": items, "next_cursor": next_cursor}
