"""Organization settings (owner only) and late-fee policies at each level."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.ids import new_id
from fleetkit.policy import Principal
from fleetkit.problems import ProblemError
from realestate_service.access import may_manage_settings, may_read, may_write
from realestate_service.audit.service import audit
from realestate_service.buildings.service import building_of
from realestate_service.domain.late_fees import InvalidPolicyError
from realestate_service.leases.service import lease_of
from realestate_service.organization.models import LateFeePolicyRow, OrgSettings
from realestate_service.organization.repository import policy_of
from realestate_service.organization.schemas import (
    LateFeePolicyIn,
    LateFeePolicyOut,
    SettingsIn,
    SettingsOut,
)
from realestate_service.wire import dollars

router = APIRouter(tags=["organization"])


@router.get("/settings", response_model=SettingsOut)
async def get_settings(principal: CurrentPrincipal, session: SessionDep) -> SettingsOut:
    tenant = may_read(principal)
    found = await session.get(OrgSettings, tenant)
    return SettingsOut(fees_last=bool(found and found.fees_last))


@router.put("/settings", response_model=SettingsOut)
async def put_settings(
    body: SettingsIn, principal: CurrentPrincipal, session: SessionDep
) -> SettingsOut:
    """The allocation option `fees_last` (owner only; audited)."""
    tenant = may_manage_settings(principal)
    found = await session.get(OrgSettings, tenant, with_for_update=True)
    before = {"fees_last": bool(found and found.fees_last)}
    if found is None:
        session.add(OrgSettings(tenant_id=tenant, fees_last=body.fees_last))
    else:
        found.fees_last = body.fees_last
    audit(session, principal, "settings.change", "settings", tenant, before=before,
          after={"fees_last": body.fees_last})  # fmt: skip
    return SettingsOut(fees_last=body.fees_last)


def _out(row: LateFeePolicyRow) -> LateFeePolicyOut:
    return LateFeePolicyOut(
        id=row.id,
        scope=row.scope,
        scope_id=row.scope_id,
        grace_days=row.grace_days,
        initial_kind=row.initial_kind,
        initial_amount=row.initial_amount,
        recurrence=row.recurrence,
        recurring_amount=row.recurring_amount,
        cap_per_charge=row.cap_per_charge,
        minimum_outstanding=row.minimum_outstanding,
        applies_to=list(row.applies_to),
    )


def _snapshot(row: LateFeePolicyRow | None) -> dict[str, Any] | None:
    return None if row is None else _out(row).model_dump(mode="json")


async def _put_policy(
    session: AsyncSession,
    principal: Principal,
    tenant: str,
    scope: str,
    scope_id: uuid.UUID | None,
    body: LateFeePolicyIn,
) -> LateFeePolicyOut:
    query = select(LateFeePolicyRow).where(
        LateFeePolicyRow.tenant_id == tenant,
        LateFeePolicyRow.scope == scope,
        LateFeePolicyRow.scope_id.is_(None)
        if scope_id is None
        else LateFeePolicyRow.scope_id == scope_id,
    )
    row = (await session.execute(query.with_for_update())).scalar_one_or_none()
    before = _snapshot(row)
    if row is None:
        row = LateFeePolicyRow(id=new_id(), tenant_id=tenant, scope=scope, scope_id=scope_id)
        session.add(row)
    row.grace_days = body.grace_days
    row.initial_kind = body.initial_kind
    row.initial_amount = dollars(body.initial_amount)
    row.recurrence = body.recurrence
    row.recurring_amount = dollars(body.recurring_amount)
    row.cap_per_charge = None if body.cap_per_charge is None else dollars(body.cap_per_charge)
    row.minimum_outstanding = dollars(body.minimum_outstanding)
    row.applies_to = sorted(set(body.applies_to))
    try:
        policy_of(row).check()
    except InvalidPolicyError as exc:
        raise ProblemError(422, "invalid-late-fee-policy", str(exc)) from exc
    await session.flush()
    audit(session, principal, "late_fee_policy.put", "late_fee_policy", row.id, before=before,
          after=_snapshot(row))  # fmt: skip
    return _out(row)


@router.get("/late-fee-policies", response_model=list[LateFeePolicyOut])
async def list_policies(principal: CurrentPrincipal, session: SessionDep) -> list[LateFeePolicyOut]:
    tenant = may_read(principal)
    query = select(LateFeePolicyRow).where(LateFeePolicyRow.tenant_id == tenant)
    return [_out(row) for row in (await session.execute(query)).scalars()]


@router.put("/late-fee-policies/organization", response_model=LateFeePolicyOut)
async def put_organization_policy(
    body: LateFeePolicyIn, principal: CurrentPrincipal, session: SessionDep
) -> LateFeePolicyOut:
    """The organization's default late-fee policy (a setting: owner only)."""
    tenant = may_manage_settings(principal)
    return await _put_policy(session, principal, tenant, "organization", None, body)


@router.put("/late-fee-policies/buildings/{building_id}", response_model=LateFeePolicyOut)
async def put_building_policy(
    building_id: uuid.UUID, body: LateFeePolicyIn, principal: CurrentPrincipal, session: SessionDep
) -> LateFeePolicyOut:
    """A building's policy: wins over the organization's for its leases."""
    tenant = may_write(principal)
    await building_of(session, tenant, building_id)
    return await _put_policy(session, principal, tenant, "building", building_id, body)


@router.put("/late-fee-policies/leases/{lease_id}", response_model=LateFeePolicyOut)
async def put_lease_policy(
    lease_id: uuid.UUID, body: LateFeePolicyIn, principal: CurrentPrincipal, session: SessionDep
) -> LateFeePolicyOut:
    """A lease's own policy: the most specific, it wins over all others."""
    tenant = may_write(principal)
    await lease_of(session, tenant, lease_id)
    return await _put_policy(session, principal, tenant, "lease", lease_id, body)
