"""Accrual schedules: coupon dates rolled back from maturity, with optional explicit stubs.

Accrual dates are never adjusted for holidays (payment dates are, see `cashflows`). The rule is
the market's backward generation: regular dates are maturity minus whole periods, the stretch
left at the start is a stub. An explicit first coupon date makes the first period a short or
long stub; an explicit penultimate date does the same for the last period. With the
end-of-month rule and a maturity on a month's last day, every regular date is a month end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fixed_income_service.domain.months import add_months, end_of_month, is_end_of_month
from fixed_income_service.domain.refusals import Refusal


@dataclass(frozen=True)
class AccrualSchedule:
    """Accrual dates `dates[0] < ... < dates[-1]`; `regular[i]` for the period ending at i+1."""

    dates: tuple[date, ...]
    regular: tuple[bool, ...]
    months_per_period: int
    end_of_month: bool

    def notional_period_start(self, end: date) -> date:
        """The regular period's start for a period ending at `end` (reference of a first stub)."""
        return _roll(end, -self.months_per_period, self.end_of_month)

    def notional_period_end(self, start: date) -> date:
        """The regular period's end for a period starting at `start` (reference of a last stub)."""
        return _roll(start, self.months_per_period, self.end_of_month)


def _roll(day: date, months: int, end_of_month_rule: bool) -> date:
    moved = add_months(day, months)
    return end_of_month(moved) if end_of_month_rule and is_end_of_month(day) else moved


def accrual_schedule(
    issue: date,
    maturity: date,
    frequency: int,
    *,
    first_coupon: date | None = None,
    penultimate_coupon: date | None = None,
    end_of_month_rule: bool = False,
) -> AccrualSchedule:
    """The accrual dates of a bond paying `frequency` coupons a year."""
    if maturity <= issue:
        raise Refusal("invalid-schedule", "maturity_date must be after issue_date")
    explicit_dates = (
        ("first_coupon_date", first_coupon),
        ("penultimate_coupon_date", penultimate_coupon),
    )
    for name, explicit in explicit_dates:
        if explicit is not None and not issue < explicit < maturity:
            raise Refusal("invalid-schedule", f"{name} must lie between issue and maturity")
    if first_coupon and penultimate_coupon and first_coupon > penultimate_coupon:
        raise Refusal("invalid-schedule", "first_coupon_date is after penultimate_coupon_date")
    step = 12 // frequency
    dates = [maturity]
    regular: list[bool] = []
    seed = maturity
    if penultimate_coupon is not None:
        regular.insert(0, _roll(maturity, -step, end_of_month_rule) == penultimate_coupon)
        dates.insert(0, penultimate_coupon)
        seed = penultimate_coupon
    exit_date = first_coupon or issue
    periods = 1
    while True:
        candidate = _roll(seed, -step * periods, end_of_month_rule)
        if candidate < exit_date:
            if first_coupon is not None and dates[0] != first_coupon:
                dates.insert(0, first_coupon)
                regular.insert(0, False)
            break
        if dates[0] != candidate:
            dates.insert(0, candidate)
            regular.insert(0, True)
        periods += 1
    if dates[0] != issue:
        dates.insert(0, issue)
        regular.insert(0, False)
    return AccrualSchedule(tuple(dates), tuple(regular), step, end_of_month_rule)
