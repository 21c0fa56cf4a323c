"""Writing the audit log, in the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.policy import Principal
from fleetkit.request_context import request_id_var
from realestate_service.audit.models import AuditEntry


def audit(
    session: AsyncSession,
    principal: Principal,
    action: str,
    object_type: str,
    object_id: object,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record who did `action` to the object, with its state before and after."""
    session.add(
        AuditEntry(
            tenant_id=principal.tenant_id or "",
            actor=principal.subject,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=before,
            after=after,
            request_id=request_id_var.get(),
        )
    )
