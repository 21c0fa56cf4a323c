"""Account use cases: open, find, balance as of a time, entries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.db import driver_connection
from fleetkit.ids import new_id
from fleetkit.problems import ProblemError, not_found
from ledger_service.accounts import repository
from ledger_service.accounts.schemas import AccountCreate, AccountPublic, BalancePublic, EntryPublic
from ledger_service.domain.accounts import AccountState
from ledger_service.domain.amounts import parse_asset, to_decimal_string
from ledger_service.domain.refusals import Refusal


def public(row: Any) -> AccountPublic:
    import json

    scale = row["scale"]
    return AccountPublic(
        id=row["id"],
        name=row["name"],
        asset=f"{row['asset_code']}/{scale}",
        normal_side=row["normal_side"],
        debits_pending=to_decimal_string(row["debits_pending"], scale),
        debits_posted=to_decimal_string(row["debits_posted"], scale),
        credits_pending=to_decimal_string(row["credits_pending"], scale),
        credits_posted=to_decimal_string(row["credits_posted"], scale),
        debits_must_not_exceed_credits=row["debits_must_not_exceed_credits"],
        credits_must_not_exceed_debits=row["credits_must_not_exceed_debits"],
        closed=row["closed"],
        version=row["version"],
        metadata=json.loads(row["metadata"]),
        created_at=row["created_at"],
    )


async def open_account(
    session: AsyncSession, tenant_id: str, request: AccountCreate
) -> tuple[AccountPublic, bool]:
    """Open an account; the same name and settings again returns it (created = False)."""
    conn = await driver_connection(session)
    code, _, scale_text = request.asset.partition("/")
    scale = await repository.asset_scale(conn, code)
    if scale is None:
        raise ProblemError(422, "unknown-asset", f"asset {code} is not declared")
    if scale_text:
        try:
            declared = parse_asset(request.asset)
        except Refusal as refusal:
            raise ProblemError(422, refusal.kind, refusal.detail) from refusal
        if declared.scale != scale:
            raise ProblemError(
                422, "asset-mismatch", f"{code} has scale {scale}, not {declared.scale}"
            )
    if request.debits_must_not_exceed_credits and request.credits_must_not_exceed_debits:
        raise ProblemError(422, "conflicting-limits", "an account takes at most one limit flag")
    values = request.model_dump()
    values["asset_code"] = code
    account_id = request.id or new_id()
    if await repository.insert_account(conn, tenant_id, account_id, values):
        row = await repository.get_account(conn, tenant_id, account_id)
        return public(row), True
    existing = await repository.find_by_name(conn, tenant_id, request.name)
    if existing is not None and _same_settings(existing, request, code, account_id):
        return public(existing), False
    raise ProblemError(
        409, "duplicate-account", f"an account named {request.name} or with this id already exists"
    )


def _same_settings(row: Any, request: AccountCreate, code: str, account_id: uuid.UUID) -> bool:
    return bool(
        (request.id is None or row["id"] == account_id)
        and row["asset_code"] == code
        and row["normal_side"] == request.normal_side
        and row["debits_must_not_exceed_credits"] == request.debits_must_not_exceed_credits
        and row["credits_must_not_exceed_debits"] == request.credits_must_not_exceed_debits
    )


async def get_account(session: AsyncSession, tenant_id: str, account_id: uuid.UUID) -> Any:
    conn = await driver_connection(session)
    row = await repository.get_account(conn, tenant_id, account_id)
    if row is None:
        raise not_found("account")
    return row


async def balance(
    session: AsyncSession, tenant_id: str, account_id: uuid.UUID, as_of: datetime | None
) -> BalancePublic:
    """Posted, pending and available balances now, or as of a past time."""
    row = await get_account(session, tenant_id, account_id)
    state = repository.state_of(row)
    if as_of is not None:
        conn = await driver_connection(session)
        entry = await repository.entry_as_of(conn, account_id, as_of)
        state = _at_entry(state, entry)
    totals = state.balances()
    scale = state.scale
    return BalancePublic(
        account_id=account_id,
        asset=f"{state.asset_code}/{scale}",
        as_of=as_of,
        version=state.version,
        posted=to_decimal_string(totals.posted, scale),
        pending=to_decimal_string(totals.pending, scale),
        available=to_decimal_string(totals.available, scale),
    )


def _at_entry(state: AccountState, entry: Any) -> AccountState:
    past = state.copy()
    if entry is None:  # before the first entry: nothing had happened yet
        past.debits_pending = past.debits_posted = past.credits_pending = past.credits_posted = 0
        past.version = 0
        return past
    past.debits_pending, past.debits_posted = entry["debits_pending"], entry["debits_posted"]
    past.credits_pending, past.credits_posted = entry["credits_pending"], entry["credits_posted"]
    past.version = entry["version"]
    return past


def entry_public(state: AccountState, entry: Any) -> EntryPublic:
    at = _at_entry(state, entry)
    totals, scale = at.balances(), state.scale
    return EntryPublic(
        version=entry["version"],
        transaction_id=entry["transaction_id"],
        committed_at=entry["committed_at"],
        effective_at=entry["effective_at"],
        debits_pending=to_decimal_string(entry["debits_pending"], scale),
        debits_posted=to_decimal_string(entry["debits_posted"], scale),
        credits_pending=to_decimal_string(entry["credits_pending"], scale),
        credits_posted=to_decimal_string(entry["credits_posted"], scale),
        posted=to_decimal_string(totals.posted, scale),
        available=to_decimal_string(totals.available, scale),
    )


async def close_account(
    session: AsyncSession, tenant_id: str, account_id: uuid.UUID
) -> AccountPublic:
    """Close an account that holds nothing: later postings to it are refused."""
    conn = await driver_connection(session)
    # Checked on the locked row: a posting cannot land between the check and the close.
    row = await repository.lock_account(conn, tenant_id, account_id)
    if row is None:
        raise not_found("account")
    totals = repository.state_of(row).balances()
    if totals.posted or totals.pending or row["debits_pending"] or row["credits_pending"]:
        raise ProblemError(409, "account-not-empty", "only an account holding nothing can close")
    await repository.mark_closed(conn, account_id)
    return public(await repository.get_account(conn, tenant_id, account_id))
