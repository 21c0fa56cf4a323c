"""Orders API: place, read, list, cancel, history."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Literal

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response

from equity_service.access import may_read_orders, may_trade
from equity_service.orders import repository, service
from equity_service.orders.models import Order
from equity_service.orders.schemas import OrderCreate, OrderEventPublic, OrderPage, OrderPublic
from equity_service.settlement.dispatch import nudge_settlement
from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.pagination import Cursor, Limit, decode_cursor, encode_cursor
from fleetkit.problems import not_found

router = APIRouter(prefix="/orders", tags=["orders"])


def public(order: Order) -> OrderPublic:
    average = (
        (order.filled_value / order.filled_qty).quantize(Decimal("0.000000001"))
        if order.filled_qty
        else None
    )
    return OrderPublic(
        id=order.id,
        client_order_id=order.client_order_id,
        account_id=order.account_id,
        symbol=order.symbol,
        side=order.side,
        type=order.type,
        time_in_force=order.time_in_force,
        qty=order.qty,
        notional=order.notional,
        limit_price=order.limit_price,
        stop_price=order.stop_price,
        expire_at=order.expire_at,
        status=order.status,
        filled_qty=order.filled_qty,
        filled_avg_price=average,
        reserved=order.reserved,
        reject_reason=order.reject_reason,
        created_at=order.created_at,
        updated_at=order.updated_at,
    )


@router.post(
    "",
    response_model=OrderPublic,
    status_code=201,
    responses={200: {"description": "the same client_order_id and body: the original"}},
)
async def place_order(
    body: OrderCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
    response: Response,
    background: BackgroundTasks,
) -> OrderPublic:
    """Place an order: its cash (buy) or shares (sell) are held in the ledger, then it trades."""
    tenant = may_trade(principal)
    state = request.app.state
    order, created = await service.place_order(session, state.books, state.settings, tenant, body)
    response.status_code = 201 if created else 200
    await session.flush()
    nudge_settlement(background, request.app)
    return public(order)


@router.get("", response_model=OrderPage)
async def list_orders(
    principal: CurrentPrincipal,
    session: SessionDep,
    status: Literal["open", "closed", "all"] = "open",
    cursor: Cursor = None,
    limit: Limit = 100,
) -> OrderPage:
    """The tenant's orders, oldest first."""
    tenant = may_read_orders(principal)
    rows = await repository.page(session, tenant, status, decode_cursor(cursor, 0), limit)
    next_cursor = encode_cursor(rows[limit - 1].seq) if len(rows) > limit else None
    return OrderPage(items=[public(o) for o in rows[:limit]], next_cursor=next_cursor)


@router.get(":by_client_order_id", response_model=OrderPublic)
async def by_client_order_id(
    principal: CurrentPrincipal,
    session: SessionDep,
    client_order_id: str = Query(min_length=1, max_length=128),
) -> OrderPublic:
    tenant = may_read_orders(principal)
    order = await repository.by_client_order_id(session, tenant, client_order_id)
    if order is None:
        raise not_found("order")
    return public(order)


@router.get("/{order_id}", response_model=OrderPublic)
async def get_order(
    order_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> OrderPublic:
    tenant = may_read_orders(principal)
    order = await repository.get(session, tenant, order_id)
    if order is None:
        raise not_found("order")
    return public(order)


@router.delete("/{order_id}", response_model=OrderPublic)
async def cancel_order(
    order_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
    background: BackgroundTasks,
) -> OrderPublic:
    """Cancel a live order; what it still holds is released. 409 when it is closed."""
    tenant = may_trade(principal)
    broker = service.broker_for(request.app.state.settings)
    order = await service.cancel_order(session, broker, tenant, order_id)
    await session.flush()
    nudge_settlement(background, request.app)
    return public(order)


@router.get("/{order_id}/events", response_model=list[OrderEventPublic])
async def order_events(
    order_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> list[OrderEventPublic]:
    """The order's history, oldest first."""
    tenant = may_read_orders(principal)
    if await repository.get(session, tenant, order_id) is None:
        raise not_found("order")
    return [
        OrderEventPublic(type=e.type, status=e.status, detail=e.detail, at=e.at)
        for e in await repository.events(session, order_id)
    ]
