"""Deposits and withdrawals: cash between the outside world and a tenant's account.

The outside world is one debit-normal account per tenant and asset (`<tenant>/world/<CODE>`),
opened on first use. In demo mode a deposit is the faucet; in production it is what a payment
provider's webhook calls. Idempotent by `id`, like every money movement.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from fastapi import APIRouter, Response

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep, driver_connection
from fleetkit.problems import not_found
from ledger_service.access import may_post
from ledger_service.accounts import repository as accounts
from ledger_service.transactions import service
from ledger_service.transactions.router import _answer
from ledger_service.transactions.schemas import (
    LineIn,
    MoneyMovement,
    TransactionCreate,
    TransactionPublic,
)

router = APIRouter(tags=["deposits and withdrawals"])
WORLD_NAMESPACE = uuid.UUID("0191f2a0-7c1e-7000-8000-776f726c6421")


def world_account_id(tenant_id: str, asset_code: str) -> uuid.UUID:
    """The id of the tenant's account for the outside world in this asset."""
    return uuid.uuid5(WORLD_NAMESPACE, f"{tenant_id}:{asset_code}")


async def open_world_account(conn: Any, tenant_id: str, asset_code: str) -> None:
    """Open the tenant's outside-world account in this asset if it is missing."""
    account_id = world_account_id(tenant_id, asset_code)
    await accounts.insert_account(
        conn,
        tenant_id,
        account_id,
        {
            "name": f"{tenant_id}/world/{asset_code}",
            "asset_code": asset_code,
            "normal_side": "debit",
            "debits_must_not_exceed_credits": False,
            "credits_must_not_exceed_debits": False,
            "metadata": {"role": "world"},
        },
    )


async def _move(
    body: MoneyMovement,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    *,
    inbound: bool,
) -> TransactionPublic:
    tenant = may_post(principal)
    conn = await driver_connection(session)
    account = await accounts.get_account(conn, tenant, body.account_id)
    if account is None:
        raise not_found("account")
    world = world_account_id(tenant, account["asset_code"])
    source, destination = (world, body.account_id) if inbound else (body.account_id, world)
    request = TransactionCreate(
        id=body.id,
        lines=[
            LineIn(account_id=source, side="debit", amount=body.amount),
            LineIn(account_id=destination, side="credit", amount=body.amount),
        ],
        metadata={**body.metadata, "movement": "deposit" if inbound else "withdrawal"},
    )
    applied = await service.create_transactions(
        session,
        tenant,
        [request],
        before=partial(open_world_account, tenant_id=tenant, asset_code=account["asset_code"]),
    )
    return await _answer(session, tenant, applied, response)


@router.post("/deposits", response_model=TransactionPublic, status_code=201)
async def deposit(
    body: MoneyMovement, principal: CurrentPrincipal, session: SessionDep, response: Response
) -> TransactionPublic:
    """Credit the account with cash coming in from outside."""
    return await _move(body, principal, session, response, inbound=True)


@router.post("/withdrawals", response_model=TransactionPublic, status_code=201)
async def withdraw(
    body: MoneyMovement, principal: CurrentPrincipal, session: SessionDep, response: Response
) -> TransactionPublic:
    """Debit the account for cash going out (refused beyond what the account allows)."""
    return await _move(body, principal, session, response, inbound=False)
