"""Late fees: which automatic fees a charge should carry, given when it was paid.

The policy is evaluated day by day from the day after the grace period ends. The fee of day
`d` looks at what was still owed at the end of day `d - 1` (payments count from the day they
were received, not the day they were entered), so re-evaluating after a back-dated payment
shows which fees it made unnecessary: the run reverses those and posts the missing ones.

- initial fee on the first assessable day: flat, % of the charge (`percent_rent`) or % of what
  is owed (`percent_outstanding`);
- then, optionally, a flat recurring fee every day (`daily`) or every month (`monthly`, on the
  initial fee's day of the month, clamped to the month's length);
- no fee while what is owed is below `minimum_outstanding` (or nothing is owed);
- all fees of one charge together never exceed `cap_per_charge`;
- only charge kinds in `applies_to` carry fees, and never a fee kind (no fee on a fee).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from realestate_service.domain.allocation import FEE_KINDS
from realestate_service.domain.money import ZERO, round_rent
from realestate_service.domain.proration import due_date


class InitialKind(StrEnum):
    FLAT = "flat"
    PERCENT_RENT = "percent_rent"
    PERCENT_OUTSTANDING = "percent_outstanding"


class Recurrence(StrEnum):
    NONE = "none"
    DAILY = "daily"
    MONTHLY = "monthly"


class InvalidPolicyError(ValueError):
    """A late-fee policy that cannot be applied as written."""


@dataclass(frozen=True)
class LateFeePolicy:
    grace_days: int = 5
    initial_kind: InitialKind = InitialKind.FLAT
    initial_amount: Decimal = ZERO  # dollars, or a percentage (5 means 5 %)
    recurrence: Recurrence = Recurrence.NONE
    recurring_amount: Decimal = ZERO
    cap_per_charge: Decimal | None = None
    minimum_outstanding: Decimal = ZERO
    applies_to: frozenset[str] = field(default_factory=lambda: frozenset({"rent"}))

    def check(self) -> None:
        """Raise `InvalidPolicyError` when the policy is inconsistent."""
        if self.grace_days < 0:
            raise InvalidPolicyError("grace_days cannot be negative")
        if self.initial_amount < 0 or self.recurring_amount < 0 or self.minimum_outstanding < 0:
            raise InvalidPolicyError("amounts cannot be negative")
        if self.cap_per_charge is not None and self.cap_per_charge < 0:
            raise InvalidPolicyError("cap_per_charge cannot be negative")
        if self.initial_kind != InitialKind.FLAT and self.initial_amount > 100:
            raise InvalidPolicyError("a percentage fee cannot exceed 100")
        if self.applies_to & FEE_KINDS:
            raise InvalidPolicyError("a fee is never charged on a fee")


@dataclass(frozen=True)
class ChargeTimeline:
    """A charge and the reductions of what is owed on it, dated by when they take effect."""

    kind: str
    amount: Decimal
    due_on: date
    reductions: tuple[tuple[date, Decimal], ...] = ()

    def owed_at_end_of(self, day: date) -> Decimal:
        """What was still owed on the charge at the end of `day`."""
        return self.amount - sum((a for on, a in self.reductions if on <= day), ZERO)


def first_fee_day(policy: LateFeePolicy, due_on: date) -> date:
    """The day after the grace period ends (grace 5, due 04-01: 04-07)."""
    return due_on + timedelta(days=policy.grace_days + 1)


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return due_date(day.year + index // 12, index % 12 + 1, day.day)


def _is_recurring_day(policy: LateFeePolicy, anchor: date, day: date) -> bool:
    if policy.recurrence == Recurrence.DAILY:
        return day > anchor
    if policy.recurrence == Recurrence.MONTHLY:
        months = (day.year - anchor.year) * 12 + day.month - anchor.month
        return months > 0 and _add_months(anchor, months) == day
    return False


def expected_fees(
    policy: LateFeePolicy, charge: ChargeTimeline, through: date
) -> list[tuple[date, Decimal]]:
    """The automatic fees (day, amount) the charge should carry by the end of `through`."""
    if charge.kind not in policy.applies_to or charge.kind in FEE_KINDS:
        return []
    fees: list[tuple[date, Decimal]] = []
    total = ZERO
    cap = policy.cap_per_charge
    anchor: date | None = None
    day = first_fee_day(policy, charge.due_on)
    while day <= through and (cap is None or total < cap):
        owed = charge.owed_at_end_of(day - timedelta(days=1))
        if owed > 0 and owed >= policy.minimum_outstanding:
            amount = ZERO
            if anchor is None:
                amount = _initial(policy, charge.amount, owed)
                anchor = day
            elif _is_recurring_day(policy, anchor, day):
                amount = policy.recurring_amount
            if cap is not None:
                amount = min(amount, cap - total)
            if amount > 0:
                fees.append((day, amount))
                total += amount
        if anchor is not None and policy.recurrence == Recurrence.NONE:
            break
        day += timedelta(days=1)
    return fees


def _initial(policy: LateFeePolicy, charge_amount: Decimal, owed: Decimal) -> Decimal:
    match policy.initial_kind:
        case InitialKind.FLAT:
            return round_rent(policy.initial_amount)
        case InitialKind.PERCENT_RENT:
            return round_rent(charge_amount * policy.initial_amount / 100)
        case InitialKind.PERCENT_OUTSTANDING:
            return round_rent(owed * policy.initial_amount / 100)


@dataclass(frozen=True)
class FeeReconciliation:
    """What a late-fee run does to one charge: fees to post and posted fees to reverse."""

    to_post: list[tuple[date, Decimal]]
    to_reverse: list[date]


def reconcile(
    expected: Iterable[tuple[date, Decimal]], posted: Iterable[date]
) -> FeeReconciliation:
    """Compare the fees the policy wants with the automatic fees in force (by fee day)."""
    wanted = dict(expected)
    existing = set(posted)
    return FeeReconciliation(
        to_post=sorted((d, a) for d, a in wanted.items() if d not in existing),
        to_reverse=sorted(d for d in existing if d not in wanted),
    )
