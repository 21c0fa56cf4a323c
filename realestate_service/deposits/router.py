"""Security deposit API: receive, apply to charges, refund, forfeit."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Request

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from realestate_service.access import may_read, may_write
from realestate_service.billing.service import locked_lease
from realestate_service.books.after_commit import send_postings
from realestate_service.deposits import service
from realestate_service.deposits.schemas import DepositMove, DepositPublic
from realestate_service.leases.service import lease_of
from realestate_service.money_guard import require_idempotency_key

router = APIRouter(tags=["deposits"])
ACTIONS: dict[str, str] = {
    "receive": "received",
    "apply": "applied",
    "refund": "refunded",
    "forfeit": "forfeited",
}


@router.get("/leases/{lease_id}/deposit", response_model=DepositPublic)
async def get_deposit(
    lease_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> DepositPublic:
    """What the lease requires, what is held, and every movement."""
    tenant = may_read(principal)
    return await service.deposit_public(session, await lease_of(session, tenant, lease_id))


@router.post(
    "/leases/{lease_id}/deposit/{action}",
    response_model=DepositPublic,
    dependencies=[Depends(require_idempotency_key)],
)
async def move_deposit(
    lease_id: uuid.UUID,
    action: Literal["receive", "apply", "refund", "forfeit"],
    body: DepositMove,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
    tasks: BackgroundTasks,
) -> DepositPublic:
    """`receive` holds money; `apply` pays open charges from it; `refund`; `forfeit`. Each
    moves money between the deposits and cash accounts in the ledger service."""
    tenant = may_write(principal)
    lease = await locked_lease(session, tenant, lease_id)
    moved = await service.move(session, principal, lease, ACTIONS[action], body)
    send_postings(request, tasks)
    return moved
