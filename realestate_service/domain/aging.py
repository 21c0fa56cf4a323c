"""Delinquency aging: a lease's open charges in buckets by days past due, credits apart.

Buckets: `not_yet_due` (due after the as-of day), `0_30` (due on or up to 30 days before),
`31_60`, `61_90`, `91_plus`; `credits` is the unapplied money (a negative contribution).
Their sum is the lease's net balance.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from realestate_service.domain.money import ZERO

BUCKETS = ("not_yet_due", "0_30", "31_60", "61_90", "91_plus")


def bucket_of(due_on: date, as_of: date) -> str:
    """The aging bucket of a charge due on `due_on`, seen on `as_of`."""
    late = (as_of - due_on).days
    if late < 0:
        return "not_yet_due"
    if late <= 30:
        return "0_30"
    if late <= 60:
        return "31_60"
    if late <= 90:
        return "61_90"
    return "91_plus"


def age(
    open_charges: Iterable[tuple[date, Decimal]], credit: Decimal, as_of: date
) -> dict[str, Decimal]:
    """Open amounts per bucket, and `credits` as a negative amount."""
    buckets = dict.fromkeys(BUCKETS, ZERO)
    for due_on, amount in open_charges:
        buckets[bucket_of(due_on, as_of)] += amount
    return {**buckets, "credits": -credit}
