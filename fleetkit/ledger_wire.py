"""The ledger's wire: lines, accounts and balances, amounts as plain digits, refusals (RFC 9457
problems) as exceptions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import httpx

from fleetkit.http_client import DownstreamUnavailable

PROBLEM_PREFIX = "urn:finfleet:problem:"
Side = Literal["debit", "credit"]


class LedgerRefusal(Exception):  # noqa: N818 - names the outcome, like the ledger's refusals
    """The ledger refused the call; `kind` is the problem type without its URN prefix."""

    def __init__(self, status: int, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.status, self.kind, self.detail = status, kind, detail


class InsufficientFunds(LedgerRefusal):
    """The debited account's available balance (or its limit) does not cover the amount."""


class HoldAlreadyResolved(LedgerRefusal):
    """The hold was posted, voided or expired before."""


class UnknownAccount(LedgerRefusal):
    """An account named in the call does not exist for the tenant."""


class LedgerNotFound(LedgerRefusal):
    """The account or transaction does not exist for the tenant."""


class UnknownHold(LedgerNotFound):
    """The hold (or transaction) to resolve does not exist for the tenant."""


REFUSALS: dict[str, type[LedgerRefusal]] = {
    "insufficient-funds": InsufficientFunds,
    "limit-exceeded": InsufficientFunds,
    "hold-already-resolved": HoldAlreadyResolved,
    "unknown-account": UnknownAccount,
    "not-found": LedgerNotFound,
    "unknown-transaction": UnknownHold,
}


@dataclass(frozen=True)
class LedgerLine:
    """One line of a transaction; `amount` is a positive Decimal in the account's asset."""

    account_id: uuid.UUID
    side: Side
    amount: Decimal


@dataclass(frozen=True)
class LedgerAccount:
    id: uuid.UUID
    name: str
    asset: str  # "USD/2"

    @property
    def scale(self) -> int:
        return int(self.asset.partition("/")[2] or 0)


@dataclass(frozen=True)
class LedgerBalance:
    posted: Decimal
    pending: Decimal
    available: Decimal


def transaction_id_for(namespace: uuid.UUID, *parts: object) -> uuid.UUID:
    """A deterministic transaction id: the same business event always gets the same id."""
    return uuid.uuid5(namespace, ":".join(str(part) for part in parts))


def wire_amount(amount: Decimal) -> str:
    """A Decimal as the ledger's plain digits (`1E+2` → `100`); never a float."""
    if amount <= 0:
        raise ValueError(f"ledger amounts are positive, got {amount}")
    return format(amount, "f")


def answer_of(target: str, response: httpx.Response) -> dict[str, Any]:
    """The JSON of a success; a `LedgerRefusal` for a 4xx, `DownstreamUnavailable` for a 5xx."""
    if response.status_code < 400:
        data: dict[str, Any] = response.json()
        return data
    if response.status_code >= 500:
        raise DownstreamUnavailable(target, f"answered {response.status_code}")
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    kind = str(problem.get("type", "")).removeprefix(PROBLEM_PREFIX) or "error"
    detail = str(problem.get("detail", problem.get("title", "")))
    raise REFUSALS.get(kind, LedgerRefusal)(response.status_code, kind, detail)
