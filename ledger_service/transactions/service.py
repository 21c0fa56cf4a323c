"""Use cases of the posting path: lock, decide (pure engine), save, emit — one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.db import driver_connection
from fleetkit.events.outbox import emit_many
from ledger_service.domain.accounts import AccountState
from ledger_service.domain.amounts import to_decimal_string
from ledger_service.domain.engine import (
    BatchState,
    NewTransaction,
    Outcome,
    TransactionCommand,
    apply_batch,
)
from ledger_service.domain.transactions import (
    EXPIRE_HOLD,
    PENDING,
    POST_HOLD,
    VOID_HOLD,
    RecordedTransaction,
)
from ledger_service.transactions import repository
from ledger_service.transactions.commands import creation_command
from ledger_service.transactions.schemas import BatchItem, TransactionCreate

PRODUCER = "ledger"
EVENT_OF_KIND = {
    "posted": "ledger.transaction.posted",
    "reversal": "ledger.transaction.posted",
    PENDING: "ledger.hold.created",
    POST_HOLD: "ledger.hold.posted",
    VOID_HOLD: "ledger.hold.voided",
    EXPIRE_HOLD: "ledger.hold.expired",
}


async def apply_commands(
    session: AsyncSession,
    tenant_id: str,
    commands: Sequence[TransactionCommand],
    *,
    atomic: bool = False,
    extra_account_ids: Sequence[uuid.UUID] = (),
) -> list[Outcome]:
    """Apply already-built commands (resolutions, reversals, expiries) in one DB transaction."""
    conn = await driver_connection(session)
    recorded = await repository.recorded_transactions(
        conn, tenant_id, [c.target_id for c in commands if c.target_id]
    )
    account_ids = {line.account_id for c in commands for line in c.lines}
    account_ids |= {line.account_id for r in recorded.values() for line in r.lines}
    account_ids |= {cond.account_id for c in commands for cond in c.conditions}
    account_ids |= set(extra_account_ids)
    accounts = await repository.lock_accounts(conn, tenant_id, account_ids)
    return await _run(conn, tenant_id, commands, accounts, recorded, atomic=atomic)


async def create_transactions(
    session: AsyncSession,
    tenant_id: str,
    requests: Sequence[TransactionCreate | BatchItem],
    *,
    atomic: bool = False,
) -> list[Outcome]:
    """Create posted or pending transactions, each refused or applied on its own merits."""
    conn = await driver_connection(session)
    account_ids = {line.account_id for r in requests for line in r.lines}
    account_ids |= {c.account_id for r in requests for c in r.conditions}
    accounts = await repository.lock_accounts(conn, tenant_id, account_ids)
    commands = [creation_command(r, accounts, getattr(r, "group", None)) for r in requests]
    return await _run(conn, tenant_id, commands, accounts, {}, atomic=atomic)


async def _run(
    conn: Any,
    tenant_id: str,
    commands: Sequence[TransactionCommand],
    accounts: dict[uuid.UUID, AccountState],
    recorded: dict[uuid.UUID, RecordedTransaction],
    *,
    atomic: bool,
) -> list[Outcome]:
    state = BatchState(
        accounts=accounts,
        recorded=recorded,
        existing_hashes=await repository.existing_hashes(conn, [c.id for c in commands]),
        now=await repository.database_clock(conn),
    )
    outcomes = apply_batch(commands, state, atomic=atomic)
    created = [o.created for o in outcomes if o.created is not None]
    await repository.insert_transactions(conn, tenant_id, created)
    await repository.save_account_totals(conn, state.accounts.values())
    events = [_event(tenant_id, item, state.accounts) for item in created]
    await emit_many(conn, producer=PRODUCER, events=events)
    return outcomes


def _event(
    tenant_id: str, item: NewTransaction, accounts: Mapping[uuid.UUID, AccountState]
) -> tuple[str, dict[str, Any], str]:
    command = item.command
    payload: dict[str, Any] = {
        "transaction_id": str(command.id),
        "kind": command.kind,
        "target_id": str(command.target_id) if command.target_id else None,
        "lines": [
            {
                "account_id": str(line.account_id),
                "side": line.side,
                "amount": to_decimal_string(line.amount, accounts[line.account_id].scale),
                "asset": _asset(accounts[line.account_id]),
            }
            for line in item.lines
        ],
        "committed_at": item.committed_at.isoformat(),
        "metadata": dict(command.metadata),
    }
    return EVENT_OF_KIND[command.kind], payload, tenant_id


def _asset(account: AccountState) -> str:
    return f"{account.asset_code}/{account.scale}"
