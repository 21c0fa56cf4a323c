"""Public API of targets and rebalance plans."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from fleetkit.db import SessionDep
from portfolio_service.identity.authentication import CurrentCaller
from portfolio_service.identity.tokens import require_scope
from portfolio_service.portfolios.router import fleet_of
from portfolio_service.rebalancing import service
from portfolio_service.rebalancing.schemas import (
    PlanCreate,
    PlanPublic,
    RebalanceRequest,
    TargetsIn,
    TargetsPublic,
)

router = APIRouter(prefix="/api/v1/portfolios", tags=["rebalancing"])


@router.put("/{portfolio_id}/targets", response_model=TargetsPublic)
async def put_targets(
    portfolio_id: uuid.UUID, body: TargetsIn, caller: CurrentCaller, session: SessionDep
) -> TargetsPublic:
    """Target weights by holding or asset class, with drift bands for `hybrid` plans."""
    require_scope(caller, "write")
    return await service.set_targets(session, caller.principal, portfolio_id, body)


@router.get("/{portfolio_id}/targets", response_model=TargetsPublic)
async def get_targets(
    portfolio_id: uuid.UUID, caller: CurrentCaller, session: SessionDep
) -> TargetsPublic:
    """The portfolio's targets."""
    return await service.get_targets(session, caller.principal, portfolio_id)


@router.post("/{portfolio_id}/rebalance-plans", response_model=PlanPublic, status_code=201)
async def create_plan(
    portfolio_id: uuid.UUID,
    body: PlanCreate,
    caller: CurrentCaller,
    session: SessionDep,
    request: Request,
) -> PlanPublic:
    """A plan of share orders toward the targets (`cash_flow`, `full` or `hybrid`)."""
    require_scope(caller, "write")
    deadline = request.app.state.settings.valuation_deadline_seconds
    return await service.create_plan(
        session, fleet_of(request), caller.principal, portfolio_id, body, deadline
    )


@router.get("/{portfolio_id}/rebalance-plans/{plan_id}", response_model=PlanPublic)
async def get_plan(
    portfolio_id: uuid.UUID, plan_id: uuid.UUID, caller: CurrentCaller, session: SessionDep
) -> PlanPublic:
    """A plan and its orders once executed."""
    return await service.read_plan(session, caller.principal, portfolio_id, plan_id)


@router.post("/{portfolio_id}/rebalance-plans/{plan_id}/execute", response_model=PlanPublic)
async def execute_plan(
    portfolio_id: uuid.UUID,
    plan_id: uuid.UUID,
    caller: CurrentCaller,
    session: SessionDep,
    request: Request,
) -> PlanPublic:
    """Place the plan's orders (client_order_id = plan_id:leg); executing again adds nothing."""
    require_scope(caller, "trade")
    return await service.execute_plan(
        session, fleet_of(request), caller.principal, portfolio_id, plan_id
    )


@router.post("/{portfolio_id}/rebalance", response_model=PlanPublic, status_code=201)
async def rebalance(
    portfolio_id: uuid.UUID,
    body: RebalanceRequest,
    caller: CurrentCaller,
    session: SessionDep,
    request: Request,
) -> PlanPublic:
    """The seed system's name: a plan, executed at once when `execute` is true."""
    require_scope(caller, "trade" if body.execute else "write")
    deadline = request.app.state.settings.valuation_deadline_seconds
    fleet = fleet_of(request)
    plan = await service.create_plan(session, fleet, caller.principal, portfolio_id, body, deadline)
    if not body.execute:
        return plan
    return await service.execute_plan(session, fleet, caller.principal, portfolio_id, plan.id)
