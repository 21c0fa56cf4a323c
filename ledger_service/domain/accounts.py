"""An account's four running totals, its limits, and the balances derived from them.

As in TigerBeetle, an account keeps `debits_pending`, `debits_posted`, `credits_pending` and
`credits_posted`. Balances follow Modern Treasury: for a credit-normal account
posted = credits_posted - debits_posted, pending = (credits_posted + credits_pending) -
(debits_posted + debits_pending), available = credits_posted - debits_posted - debits_pending;
a debit-normal account mirrors it.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from typing import Protocol

from ledger_service.domain.refusals import Refusal

DEBIT, CREDIT = "debit", "credit"
# Totals are BIGINT columns.
MAX_TOTAL = 2**63 - 1


@dataclass(frozen=True)
class Balances:
    """What an account holds, in minor units."""

    posted: int
    pending: int
    available: int


class AccountAsset(Protocol):
    """What never changes about an account once it is opened: its asset and that asset's scale."""

    @property
    def asset_code(self) -> str: ...

    @property
    def scale(self) -> int: ...


@dataclass(frozen=True)
class AccountAssetRow:
    """An account's asset, read without locking the account."""

    asset_code: str
    scale: int


@dataclass
class AccountState:
    """An account as the posting engine sees it while a batch is applied."""

    id: uuid.UUID
    tenant_id: str
    name: str
    asset_code: str
    scale: int
    normal_side: str
    debits_must_not_exceed_credits: bool = False
    credits_must_not_exceed_debits: bool = False
    closed: bool = False
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0
    version: int = 0
    touched: bool = field(default=False, compare=False)

    def copy(self) -> AccountState:
        return copy.copy(self)  # a shallow copy: every field is immutable

    def balances(self) -> Balances:
        """Posted, pending (posted plus pending both ways) and available balances."""
        dp, dpo, cp, cpo = (
            self.debits_pending,
            self.debits_posted,
            self.credits_pending,
            self.credits_posted,
        )
        if self.normal_side == CREDIT:
            return Balances(cpo - dpo, (cpo + cp) - (dpo + dp), cpo - dpo - dp)
        return Balances(dpo - cpo, (dpo + dp) - (cpo + cp), dpo - cpo - cp)

    def move(self, side: str, amount: int, *, pending: bool) -> None:
        """Add `amount` (negative to release) to one of the four totals."""
        column = f"{side}s_{'pending' if pending else 'posted'}"
        setattr(self, column, getattr(self, column) + amount)
        self.touched = True

    def check_limits(self) -> None:
        """Refuse a state that breaks the account's flags or its capacity (after every
        transaction)."""
        totals = (
            self.debits_pending,
            self.debits_posted,
            self.credits_pending,
            self.credits_posted,
        )
        if max(totals) > MAX_TOTAL:
            raise Refusal(
                "capacity-exceeded",
                f"account {self.name} would hold more than the ledger can count",
            )
        if self.debits_must_not_exceed_credits and (
            self.debits_pending + self.debits_posted > self.credits_posted
        ):
            raise Refusal(
                "insufficient-funds",
                f"account {self.name} would have debits above its posted credits",
            )
        if self.credits_must_not_exceed_debits and (
            self.credits_pending + self.credits_posted > self.debits_posted
        ):
            raise Refusal(
                "limit-exceeded",
                f"account {self.name} would have credits above its posted debits",
            )
