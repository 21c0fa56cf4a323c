"""Use cases of the posting path: lock, decide (pure engine), save, emit — one DB transaction.

Round trips per call: lock the accounts (with the existing-id check and the clock), then one
statement that writes everything. A concurrent request that created the same transaction id
or resolved the same hold first makes the write fail on a unique index; the transaction is
then rolled back and the batch decided again, seeing what the other request did.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.db import driver_connection
from fleetkit.events.outbox import EventContext, OutboxRows, outbox_rows
from ledger_service.domain.accounts import AccountAsset, AccountState
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
    Line,
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
ATTEMPTS = 3


class Applied:
    """The outcomes of a batch, with the accounts as they ended and the commit time."""

    def __init__(
        self,
        outcomes: list[Outcome],
        accounts: Mapping[uuid.UUID, AccountState],
        committed_at: datetime | None,
    ):
        self.outcomes = outcomes
        self.accounts = accounts
        self.committed_at = committed_at


async def apply_commands(
    session: AsyncSession, tenant_id: str, commands: Sequence[TransactionCommand]
) -> Applied:
    """Apply built commands (hold resolutions, reversals, expiries)."""

    targets = [c.target_id for c in commands if c.target_id]

    async def decide(conn: Any) -> tuple[list[TransactionCommand], Any]:
        # The targets' lines say which accounts to lock; what resolved them is read again
        # once the locks are held, since a racing post or void of the same hold commits
        # under those same locks.
        first_look = await repository.recorded_transactions(conn, tenant_id, targets)
        ids = {line.account_id for r in first_look.values() for line in r.lines}
        locked = await repository.lock_accounts(conn, tenant_id, ids, [c.id for c in commands])
        recorded = await repository.recorded_transactions(conn, tenant_id, targets)
        return list(commands), (*locked, recorded)

    return await _with_retry(session, tenant_id, decide, atomic=False)


async def create_transactions(
    session: AsyncSession,
    tenant_id: str,
    requests: Sequence[TransactionCreate | BatchItem],
    *,
    atomic: bool = False,
    before: Callable[[Any], Awaitable[None]] | None = None,
    contexts: Sequence[EventContext] | None = None,
) -> Applied:
    """Create posted or pending transactions, each refused or applied on its own merits.

    `contexts` (one per request) ties each item's event to its own request when one call
    serves many (the posting sequencer); by default every event has the current context."""

    ids = {line.account_id for r in requests for line in r.lines}
    ids |= {c.account_id for r in requests for c in r.conditions}
    transaction_ids = [r.id for r in requests]
    prepared: _Prepared | None = None
    if before is None:
        # An account's asset and scale never change, so they are read before the locks, and
        # what depends only on them (minor units, fingerprints, event envelopes) is worked
        # out before too: concurrent batches wait on each other's locks, and every
        # millisecond spent holding them is a millisecond of throughput lost.
        assets = await repository.account_assets(await driver_connection(session), tenant_id, ids)
        commands = [creation_command(r, assets, getattr(r, "group", None)) for r in requests]
        prepared = _prepare_events(tenant_id, commands, assets, contexts)

    async def decide(conn: Any) -> tuple[list[TransactionCommand], Any]:
        accounts, existing, now = await repository.lock_accounts(
            conn, tenant_id, ids, transaction_ids
        )
        if prepared is None:  # `before` may open an account this batch uses
            decided = [creation_command(r, accounts, getattr(r, "group", None)) for r in requests]
        else:
            decided = commands
        return decided, (accounts, existing, now, {})

    return await _with_retry(
        session,
        tenant_id,
        decide,
        atomic=atomic,
        before=before,
        contexts=contexts,
        prepared=prepared,
    )


async def _with_retry(
    session: AsyncSession,
    tenant_id: str,
    decide: Any,
    *,
    atomic: bool,
    before: Callable[[Any], Awaitable[None]] | None = None,
    contexts: Sequence[EventContext] | None = None,
    prepared: _Prepared | None = None,
) -> Applied:
    # A lost race on a unique index aborts the database transaction: it is rolled back and the
    # batch decided afresh in a new one (cheaper than a savepoint around every attempt). So
    # these use cases own their transaction; `before` holds writes that must come with them.
    for attempt in range(1, ATTEMPTS + 1):
        conn = await driver_connection(session)
        try:
            if before is not None:
                await before(conn)
            commands, (accounts, existing, now, recorded) = await decide(conn)
            state = BatchState(accounts, recorded, existing, now)
            outcomes = apply_batch(commands, state, atomic=atomic)
            await _check_refusals_against_twins(conn, tenant_id, outcomes, existing)
            created = [o.created for o in outcomes if o.created is not None]
            committed_at = None
            if created:
                events = (
                    prepared.of(outcomes)
                    if prepared is not None
                    else outbox_rows(
                        PRODUCER,
                        [_event(tenant_id, c, accounts) for c in created],
                        contexts=None
                        if contexts is None
                        else [contexts[o.index] for o in outcomes if o.created is not None],
                    )
                )
                committed_at = await repository.write_batch(
                    conn, tenant_id, created, accounts.values(), events
                )
        except (asyncpg.UniqueViolationError, _DecidedOnStaleView):
            await session.rollback()
            if attempt == ATTEMPTS:
                raise
            continue
        return Applied(outcomes, accounts, committed_at)
    raise AssertionError("unreachable")


class _DecidedOnStaleView(Exception):  # noqa: N818 - a signal to decide again, not an error
    """A refused item's id was committed by a twin request while this one waited for locks."""


async def _check_refusals_against_twins(
    conn: Any, tenant_id: str, outcomes: Sequence[Outcome], existing: Mapping[uuid.UUID, str]
) -> None:
    # The lock statement read transaction ids on the snapshot it took before waiting for the
    # locks; a twin of this request (same id, sent twice at once) may have committed meanwhile.
    # Only a refusal can hide that (a creation would hit the unique index), so only refused
    # ids are looked up again, on a fresh snapshot.
    refused = [o.id for o in outcomes if o.status == "refused" and o.id not in existing]
    if refused and await repository.existing_hashes(conn, tenant_id, refused):
        raise _DecidedOnStaleView


class _Prepared:
    """Outbox rows worked out before the locks, one per command; `of` keeps the created."""

    def __init__(self, rows: OutboxRows):
        self.stream, self.ids, self.types, self.envelopes = rows

    def of(self, outcomes: Sequence[Outcome]) -> OutboxRows:
        kept = [o.index for o in outcomes if o.created is not None]
        return (
            self.stream,
            [self.ids[i] for i in kept],
            [self.types[i] for i in kept],
            [self.envelopes[i] for i in kept],
        )


def _prepare_events(
    tenant_id: str,
    commands: Sequence[TransactionCommand],
    assets: Mapping[uuid.UUID, AccountAsset],
    contexts: Sequence[EventContext] | None,
) -> _Prepared:
    # A created posted or pending transaction records its command's own lines, so its event
    # is known before the engine decides; a refused command's envelope is simply dropped.
    events = [
        _event_of(tenant_id, c, c.lines if c.invalid is None else (), assets) for c in commands
    ]
    return _Prepared(outbox_rows(PRODUCER, events, contexts=contexts))


def _event(
    tenant_id: str, item: NewTransaction, accounts: Mapping[uuid.UUID, AccountState]
) -> tuple[str, dict[str, Any], str]:
    return _event_of(tenant_id, item.command, item.lines, accounts)


def _event_of(
    tenant_id: str,
    command: TransactionCommand,
    lines: Sequence[Line],
    accounts: Mapping[uuid.UUID, AccountAsset],
) -> tuple[str, dict[str, Any], str]:
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
            for line in lines
        ],
        "committed_at": None,  # set by the database when the batch is written
        "metadata": dict(command.metadata),
    }
    return EVENT_OF_KIND[command.kind], payload, tenant_id


def _asset(account: AccountAsset) -> str:
    return f"{account.asset_code}/{account.scale}"
