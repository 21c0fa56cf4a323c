"""Positions API: a user's holdings with cost basis and P&L."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Request

from equity_service.access import may_read_orders
from equity_service.positions import service
from equity_service.positions.schemas import PositionPublic
from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep

router = APIRouter(prefix="/positions", tags=["positions"])


@router.get("", response_model=list[PositionPublic])
async def list_positions(
    account_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
    cost_basis: Literal["fifo", "average"] = "fifo",
) -> list[PositionPublic]:
    """The positions of the user whose cash account is `account_id` (ledger balances)."""
    tenant = may_read_orders(principal)
    return await service.positions(session, request.app.state.books, tenant, account_id, cost_basis)
