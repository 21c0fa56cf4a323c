"""Reading an organization's settings and the late-fee policy that governs a lease."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from realestate_service.domain.late_fees import InitialKind, LateFeePolicy, Recurrence
from realestate_service.organization.models import LateFeePolicyRow, OrgSettings

SCOPE_RANK = {"lease": 0, "building": 1, "organization": 2}


async def fees_last(session: AsyncSession, tenant_id: str) -> bool:
    """The organization's allocation option: fees paid after every other charge."""
    found = await session.get(OrgSettings, tenant_id)
    return bool(found and found.fees_last)


def policy_of(row: LateFeePolicyRow) -> LateFeePolicy:
    """The domain policy a stored row describes."""
    return LateFeePolicy(
        grace_days=row.grace_days,
        initial_kind=InitialKind(row.initial_kind),
        initial_amount=row.initial_amount,
        recurrence=Recurrence(row.recurrence),
        recurring_amount=row.recurring_amount,
        cap_per_charge=row.cap_per_charge,
        minimum_outstanding=row.minimum_outstanding,
        applies_to=frozenset(row.applies_to),
    )


def most_specific(
    rows: list[LateFeePolicyRow], lease_id: uuid.UUID, building_id: uuid.UUID
) -> LateFeePolicyRow | None:
    """The lease's own policy, else its building's, else the organization's."""
    fitting = [
        row
        for row in rows
        if row.scope == "organization"
        or (row.scope == "building" and row.scope_id == building_id)
        or (row.scope == "lease" and row.scope_id == lease_id)
    ]
    return min(fitting, key=lambda row: SCOPE_RANK[row.scope], default=None)


async def policies(session: AsyncSession, tenant_id: str) -> list[LateFeePolicyRow]:
    query = select(LateFeePolicyRow).where(LateFeePolicyRow.tenant_id == tenant_id)
    return list((await session.execute(query)).scalars())


async def policy_for_lease(
    session: AsyncSession, tenant_id: str, lease_id: uuid.UUID, building_id: uuid.UUID
) -> LateFeePolicy | None:
    """The late-fee policy that governs the lease (the most specific wins), if any."""
    row = most_specific(await policies(session, tenant_id), lease_id, building_id)
    return None if row is None else policy_of(row)
