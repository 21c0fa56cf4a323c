"""The posting engine: applies a batch of transaction commands to locked account states.

Pure: the caller loads accounts (locked, in id order) and the earlier transactions the batch
refers to, runs `apply_batch`, and writes what comes back. Items are applied in order, each
independently unless linked in a group (all succeed or all fail) or the batch is atomic.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ledger_service.domain.accounts import AccountState
from ledger_service.domain.amounts import to_minor_units
from ledger_service.domain.refusals import Refusal
from ledger_service.domain.transactions import (
    EXPIRE_HOLD,
    PENDING,
    POST_HOLD,
    POSTED,
    REVERSAL,
    VOID_HOLD,
    Condition,
    Line,
    RecordedTransaction,
    apply_lines,
    check_balanced,
    check_conditions,
    check_hold_open,
    check_reversible,
    partial_lines,
)


@dataclass(frozen=True)
class TransactionCommand:
    """One requested transaction, already parsed into minor units where it can be."""

    id: uuid.UUID
    kind: str
    request_hash: str
    lines: tuple[Line, ...] = ()
    target_id: uuid.UUID | None = None
    amount: str | None = None
    conditions: tuple[Condition, ...] = ()
    effective_at: datetime | None = None
    expires_at: datetime | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    group: str | None = None
    invalid: Refusal | None = None  # refused before the engine saw it (unknown account, ...)


@dataclass(frozen=True)
class Entry:
    """An account's totals right after one transaction touched it."""

    account_id: uuid.UUID
    version: int
    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int


@dataclass(frozen=True)
class NewTransaction:
    """A transaction the engine accepted, with the entries it produced."""

    command: TransactionCommand
    lines: tuple[Line, ...]
    entries: tuple[Entry, ...]
    committed_at: datetime


@dataclass
class Outcome:
    """The result of one item: created, existing (idempotent replay) or refused."""

    index: int
    id: uuid.UUID
    status: str
    refusal: Refusal | None = None
    created: NewTransaction | None = None


@dataclass
class BatchState:
    """Everything the engine reads and updates while it applies a batch."""

    accounts: dict[uuid.UUID, AccountState]
    recorded: dict[uuid.UUID, RecordedTransaction]
    existing_hashes: dict[uuid.UUID, str]
    now: datetime


def apply_batch(
    commands: Sequence[TransactionCommand], state: BatchState, *, atomic: bool = False
) -> list[Outcome]:
    """Apply every command in order; returns one outcome per command."""
    outcomes: list[Outcome] = []
    index = 0
    while index < len(commands):
        group = commands[index].group
        end = index + 1
        if atomic:
            end = len(commands)
        elif group is not None:
            while end < len(commands) and commands[end].group == group:
                end += 1
        outcomes.extend(
            _apply_linked(commands[index:end], index, state, linked=atomic or group is not None)
        )
        index = end
    return outcomes


def _apply_linked(
    commands: Sequence[TransactionCommand], start: int, state: BatchState, *, linked: bool
) -> list[Outcome]:
    if not linked:
        return [_apply_one(commands[0], start, state)]
    saved_accounts = {aid: account.copy() for aid, account in state.accounts.items()}
    saved_recorded = dict(state.recorded)
    saved_hashes = dict(state.existing_hashes)
    outcomes = [_apply_one(command, start + n, state) for n, command in enumerate(commands)]
    failed = next((o for o in outcomes if o.status == "refused"), None)
    if failed is None:
        return outcomes
    state.accounts.clear()
    state.accounts.update(saved_accounts)
    state.recorded = saved_recorded
    state.existing_hashes = saved_hashes
    return [
        o
        if o is failed
        else Outcome(
            o.index,
            o.id,
            "refused",
            Refusal("linked-failed", f"item {failed.index} of its linked group was refused"),
        )
        for o in outcomes
    ]


def _apply_one(command: TransactionCommand, index: int, state: BatchState) -> Outcome:
    known_hash = state.existing_hashes.get(command.id)
    if known_hash is not None:
        if known_hash == command.request_hash:
            return Outcome(index, command.id, "existing")
        return Outcome(
            index,
            command.id,
            "refused",
            Refusal(
                "transaction-id-reused",
                f"transaction {command.id} exists with a different request",
            ),
        )
    if command.invalid is not None:
        return Outcome(index, command.id, "refused", command.invalid)
    involved = _involved_accounts(command, state)
    saved = {aid: state.accounts[aid].copy() for aid in involved if aid in state.accounts}
    versions_before = {aid: account.version for aid, account in saved.items()}
    try:
        lines = _apply_effects(command, state)
        touched = sorted({line.account_id for line in lines} | _released_accounts(command, state))
        for account_id in touched:
            state.accounts[account_id].check_limits()
        check_conditions(command.conditions, state.accounts, versions_before)
    except Refusal as refusal:
        state.accounts.update(saved)
        return Outcome(index, command.id, "refused", refusal)
    entries = []
    for account_id in touched:
        account = state.accounts[account_id]
        account.version += 1
        entries.append(
            Entry(
                account_id,
                account.version,
                account.debits_pending,
                account.debits_posted,
                account.credits_pending,
                account.credits_posted,
            )
        )
    _remember(command, lines, state)
    created = NewTransaction(command, lines, tuple(entries), state.now)
    return Outcome(index, command.id, "created", created=created)


def _involved_accounts(command: TransactionCommand, state: BatchState) -> set[uuid.UUID]:
    ids = {line.account_id for line in command.lines}
    ids |= {condition.account_id for condition in command.conditions}
    target = state.recorded.get(command.target_id) if command.target_id else None
    if target is not None:
        ids |= {line.account_id for line in target.lines}
    return ids


def _released_accounts(command: TransactionCommand, state: BatchState) -> set[uuid.UUID]:
    if command.kind not in (POST_HOLD, VOID_HOLD, EXPIRE_HOLD) or command.target_id is None:
        return set()
    return {line.account_id for line in state.recorded[command.target_id].lines}


def _target(command: TransactionCommand, state: BatchState) -> RecordedTransaction:
    target = state.recorded.get(command.target_id) if command.target_id else None
    if target is None:
        raise Refusal("unknown-transaction", f"transaction {command.target_id} does not exist")
    return target


def _amount_in_units(
    command: TransactionCommand, target: RecordedTransaction, state: BatchState
) -> int | None:
    if command.amount is None:
        return None
    scale = state.accounts[target.lines[0].account_id].scale
    return to_minor_units(command.amount, scale)


def _apply_effects(command: TransactionCommand, state: BatchState) -> tuple[Line, ...]:
    """Move the command's amounts; returns the lines recorded with the new transaction."""
    accounts = state.accounts
    if command.kind in (POSTED, PENDING):
        if command.expires_at is not None and command.expires_at <= state.now:
            raise Refusal("invalid-expiry", "a hold must expire in the future")
        check_balanced(command.lines, accounts)
        apply_lines(command.lines, accounts, pending=command.kind == PENDING)
        return command.lines
    target = _target(command, state)
    if command.kind == REVERSAL:
        check_reversible(target)
        lines = tuple(
            line.mirrored()
            for line in partial_lines(target, _amount_in_units(command, target, state))
        )
        apply_lines(lines, accounts, pending=False)
        return lines
    if command.kind == EXPIRE_HOLD:
        if target.kind != PENDING:
            raise Refusal("not-a-hold", f"transaction {target.id} is not a pending hold")
        if target.resolved_by is not None:
            raise Refusal("hold-already-resolved", f"hold {target.id} is already resolved")
    else:
        check_hold_open(target, state.now)
    apply_lines(target.lines, accounts, pending=True, sign=-1)
    if command.kind != POST_HOLD:
        return ()
    lines = partial_lines(target, _amount_in_units(command, target, state))
    apply_lines(lines, accounts, pending=False)
    return lines


def _remember(command: TransactionCommand, lines: tuple[Line, ...], state: BatchState) -> None:
    """Later items of the same batch see this transaction."""
    state.existing_hashes[command.id] = command.request_hash
    state.recorded[command.id] = RecordedTransaction(
        command.id, command.kind, lines, expires_at=command.expires_at
    )
    if command.target_id is None:
        return
    target = state.recorded[command.target_id]
    if command.kind == REVERSAL:
        state.recorded[target.id] = _replace(target, reversed=True)
    else:
        state.recorded[target.id] = _replace(target, resolved_by=command.kind)


def _replace(record: RecordedTransaction, **changes: Any) -> RecordedTransaction:
    from dataclasses import replace

    return replace(record, **changes)
