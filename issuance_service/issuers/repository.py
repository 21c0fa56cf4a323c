"""Loading issuers and their documents, always within one tenant."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from issuance_service.issuers.models import Issuer, IssuerDocument


async def get(session: AsyncSession, tenant_id: str, issuer_id: uuid.UUID) -> Issuer | None:
    """The tenant's issuer, or None (another tenant's issuer is None too)."""
    return await session.scalar(
        select(Issuer).where(Issuer.tenant_id == tenant_id, Issuer.id == issuer_id)
    )


async def documents(
    session: AsyncSession, tenant_id: str, issuer_id: uuid.UUID
) -> list[IssuerDocument]:
    """The issuer's documents, oldest first (their content is not loaded)."""
    rows = await session.scalars(
        select(IssuerDocument)
        .where(IssuerDocument.tenant_id == tenant_id, IssuerDocument.issuer_id == issuer_id)
        .order_by(IssuerDocument.created_at)
    )
    return list(rows)
