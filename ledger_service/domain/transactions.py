"""Applying transactions to account states: the ledger's rules, free of I/O.

A transaction is a set of lines (account, side, amount). It must balance per asset. It is
applied as posted, or as pending (a hold) whose lines are later posted in full or in part,
voided, or expired; or it reverses an earlier transaction by mirroring its lines.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ledger_service.domain.accounts import CREDIT, DEBIT, AccountState
from ledger_service.domain.refusals import Refusal

POSTED, PENDING = "posted", "pending"
POST_HOLD, VOID_HOLD, EXPIRE_HOLD, REVERSAL = "post_hold", "void_hold", "expire_hold", "reversal"
KINDS = (POSTED, PENDING, POST_HOLD, VOID_HOLD, EXPIRE_HOLD, REVERSAL)


@dataclass(frozen=True)
class Line:
    """One side of a transaction on one account, in that account's minor units."""

    account_id: uuid.UUID
    side: str
    amount: int

    def mirrored(self) -> Line:
        return Line(self.account_id, CREDIT if self.side == DEBIT else DEBIT, self.amount)


@dataclass(frozen=True)
class Condition:
    """Something that must hold after the transaction: a floor on available, or a version."""

    account_id: uuid.UUID
    available_at_least: int | None = None
    version: int | None = None


@dataclass(frozen=True)
class RecordedTransaction:
    """What the engine needs to know of an earlier transaction."""

    id: uuid.UUID
    kind: str
    lines: tuple[Line, ...]
    expires_at: datetime | None = None
    resolved_by: str | None = None  # kind of the transaction that resolved this hold
    reversed: bool = False


def check_balanced(lines: Sequence[Line], accounts: Mapping[uuid.UUID, AccountState]) -> None:
    """Σ debits = Σ credits for every asset, every account known and open, amounts positive."""
    if not lines:
        raise Refusal("unbalanced", "a transaction needs at least two lines")
    net: dict[str, int] = defaultdict(int)
    for line in lines:
        account = accounts.get(line.account_id)
        if account is None:
            raise Refusal("unknown-account", f"account {line.account_id} does not exist")
        if line.amount <= 0:
            raise Refusal("invalid-amount", "every line amount must be positive")
        net[account.asset_code] += line.amount if line.side == DEBIT else -line.amount
    unbalanced = sorted(asset for asset, total in net.items() if total != 0)
    if unbalanced:
        raise Refusal("unbalanced", f"debits and credits differ for {', '.join(unbalanced)}")


def apply_lines(
    lines: Sequence[Line],
    accounts: Mapping[uuid.UUID, AccountState],
    *,
    pending: bool,
    sign: int = 1,
) -> None:
    """Move every line's amount into the pending or posted totals (`sign=-1` releases)."""
    for line in lines:
        account = accounts[line.account_id]
        if account.closed and sign > 0:
            raise Refusal("account-closed", f"account {account.name} is closed")
        account.move(line.side, sign * line.amount, pending=pending)


def check_conditions(
    conditions: Sequence[Condition],
    accounts: Mapping[uuid.UUID, AccountState],
    versions_before: Mapping[uuid.UUID, int],
) -> None:
    """Every condition holds on the state after the transaction."""
    for condition in conditions:
        account = accounts.get(condition.account_id)
        if account is None:
            raise Refusal("unknown-account", f"account {condition.account_id} does not exist")
        if condition.version is not None and versions_before[account.id] != condition.version:
            raise Refusal(
                "condition-failed",
                f"account {account.name} is at version {versions_before[account.id]}, "
                f"not {condition.version}",
            )
        floor = condition.available_at_least
        if floor is not None and account.balances().available < floor:
            raise Refusal(
                "condition-failed",
                f"account {account.name} available balance would fall below the required floor",
            )


def partial_lines(hold: RecordedTransaction, amount: int | None) -> tuple[Line, ...]:
    """The lines to post or reverse: all of them, or a smaller amount of a two-line transfer."""
    if amount is None:
        return hold.lines
    if len(hold.lines) != 2:
        raise Refusal(
            "partial-not-supported",
            "a partial amount applies only to a transaction of one debit and one credit",
        )
    full = hold.lines[0].amount
    if amount > full:
        raise Refusal("amount-above-hold", f"amount {amount} is above the original {full}")
    return tuple(Line(line.account_id, line.side, amount) for line in hold.lines)


def check_hold_open(hold: RecordedTransaction, now: datetime) -> None:
    """A hold can be resolved once, and never after it expired."""
    if hold.kind != PENDING:
        raise Refusal("not-a-hold", f"transaction {hold.id} is not a pending hold")
    if hold.resolved_by is not None:
        raise Refusal(
            "hold-already-resolved", f"hold {hold.id} was already resolved ({hold.resolved_by})"
        )
    if hold.expires_at is not None and hold.expires_at <= now:
        raise Refusal("hold-expired", f"hold {hold.id} expired at {hold.expires_at.isoformat()}")


def check_reversible(original: RecordedTransaction) -> None:
    """Only posted effects can be reversed, once."""
    if original.kind not in (POSTED, POST_HOLD):
        raise Refusal("not-reversible", f"a {original.kind} transaction cannot be reversed")
    if original.reversed:
        raise Refusal("already-reversed", f"transaction {original.id} was already reversed")
