"""Which open charges a payment (or a tenant's credit) pays, and in what order.

Oldest due date first; on the same due date rent before other charges before fees; then the
order the charges were posted. With `fees_last` (an organization option) every fee waits until
all non-fee charges are paid. Allocations never exceed a charge's open amount or the money.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

RENT = "rent"
FEE_KINDS = frozenset({"late_fee", "nsf_fee"})
OTHER_KINDS = frozenset({"utility", "parking", "pet", "damage", "other", "deposit"})
CHARGE_KINDS = frozenset({RENT}) | FEE_KINDS | OTHER_KINDS


def rank(kind: str) -> int:
    """Rent 0, other charges 1, fees 2."""
    if kind == RENT:
        return 0
    return 2 if kind in FEE_KINDS else 1


@dataclass(frozen=True)
class OpenCharge:
    id: uuid.UUID
    kind: str
    due_on: date
    open_amount: Decimal
    seq: int


def payment_order(charges: Iterable[OpenCharge], *, fees_last: bool) -> list[OpenCharge]:
    """The charges in the order money pays them."""

    def key(charge: OpenCharge) -> tuple[int, date, int, int]:
        fee_group = 1 if fees_last and charge.kind in FEE_KINDS else 0
        return (fee_group, charge.due_on, rank(charge.kind), charge.seq)

    return sorted((c for c in charges if c.open_amount > 0), key=key)


def allocate(
    money: Decimal, charges: Iterable[OpenCharge], *, fees_last: bool = False
) -> tuple[list[tuple[uuid.UUID, Decimal]], Decimal]:
    """Spread `money` over the open charges; returns (charge id, amount) pairs and what is left."""
    if money < 0:
        raise ValueError("money to allocate cannot be negative")
    left = money
    pairs: list[tuple[uuid.UUID, Decimal]] = []
    for charge in payment_order(charges, fees_last=fees_last):
        if left <= 0:
            break
        paid = min(left, charge.open_amount)
        pairs.append((charge.id, paid))
        left -= paid
    return pairs, left
