"""Accounts API: open, read, list, balance as of a time, entries."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Query, Response

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep, driver_connection
from fleetkit.pagination import Cursor, Limit, decode_cursor, encode_cursor
from fleetkit.problems import ProblemError
from ledger_service.access import may_post, may_read
from ledger_service.accounts import repository, service
from ledger_service.accounts.schemas import (
    AccountCreate,
    AccountPage,
    AccountPublic,
    BalancePublic,
    EntryPage,
)

router = APIRouter(prefix="/accounts", tags=["accounts"])


@router.post("", response_model=AccountPublic, status_code=201)
async def open_account(
    body: AccountCreate, principal: CurrentPrincipal, session: SessionDep, response: Response
) -> AccountPublic:
    """Open an account in one asset; opening the same one again returns it (200)."""
    tenant = may_post(principal)
    account, created = await service.open_account(session, tenant, body)
    response.status_code = 201 if created else 200
    return account


@router.get("/{account_id}", response_model=AccountPublic)
async def get_account(
    account_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> AccountPublic:
    tenant = may_read(principal)
    return service.public(await service.get_account(session, tenant, account_id))


@router.get("", response_model=AccountPage)
async def list_accounts(
    principal: CurrentPrincipal,
    session: SessionDep,
    name_prefix: str | None = Query(default=None, max_length=300),
    asset: str | None = Query(default=None, max_length=40),
    cursor: Cursor = None,
    limit: Limit = 100,
) -> AccountPage:
    """The tenant's accounts, by id; filter by name prefix (`tenant:acme/user:42/`) or asset."""
    tenant = may_read(principal)
    after = decode_cursor(cursor, "")
    try:
        after_id = uuid.UUID(after) if after else None
    except ValueError as exc:
        raise ProblemError(400, "invalid-cursor", "cursor is not one this API gave out") from exc
    conn = await driver_connection(session)
    code = asset.partition("/")[0] if asset else None
    rows = await repository.list_accounts(conn, tenant, name_prefix, code, after_id, limit)
    page = rows[:limit]
    next_cursor = encode_cursor(str(page[-1]["id"])) if len(rows) > limit else None
    return AccountPage(items=[service.public(r) for r in page], next_cursor=next_cursor)


@router.get("/{account_id}/balance", response_model=BalancePublic)
async def account_balance(
    account_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    as_of: datetime | None = Query(default=None, description="ISO 8601 with offset"),
) -> BalancePublic:
    """`{posted, pending, available}` now, or as committed at `as_of`."""
    tenant = may_read(principal)
    if as_of is not None and as_of.tzinfo is None:
        raise ProblemError(422, "naive-datetime", "as_of needs a UTC offset")
    return await service.balance(session, tenant, account_id, as_of)


@router.get("/{account_id}/entries", response_model=EntryPage)
async def account_entries(
    account_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    start: datetime | None = Query(default=None, alias="from"),
    end: datetime | None = Query(default=None, alias="to"),
    cursor: Cursor = None,
    limit: Limit = 100,
) -> EntryPage:
    """The account's totals after each transaction that touched it, oldest first."""
    tenant = may_read(principal)
    row = await service.get_account(session, tenant, account_id)
    after = decode_cursor(cursor, 0)
    conn = await driver_connection(session)
    rows = await repository.list_entries(conn, account_id, start, end, after, limit)
    state = repository.state_of(row)
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1]["version"]) if len(rows) > limit else None
    return EntryPage(items=[service.entry_public(state, r) for r in page], next_cursor=next_cursor)


@router.post("/{account_id}/close", response_model=AccountPublic)
async def close_account(
    account_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> AccountPublic:
    """Close an account whose balances are all zero; postings to it are then refused."""
    tenant = may_post(principal)
    return await service.close_account(session, tenant, account_id)
