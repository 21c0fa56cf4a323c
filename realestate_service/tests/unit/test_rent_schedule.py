"""Billable months and rent steps: a run never bills ahead and catches up what it missed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from realestate_service.domain.proration import Proration
from realestate_service.domain.rent_schedule import billable_months, charges_due, rent_on

STEPS = [(date(2025, 3, 15), Decimal("1800")), (date(2026, 3, 1), Decimal("1900"))]


def test_rent_in_force_follows_the_steps() -> None:
    assert rent_on(STEPS, date(2025, 3, 14)) is None
    assert rent_on(STEPS, date(2025, 3, 15)) == Decimal("1800")
    assert rent_on(STEPS, date(2026, 2, 28)) == Decimal("1800")
    assert rent_on(STEPS, date(2026, 3, 1)) == Decimal("1900")


def test_first_month_waits_for_move_in_then_catches_up() -> None:
    assert billable_months(date(2025, 3, 15), None, date(2025, 3, 14), None) == []
    assert billable_months(date(2025, 3, 15), None, date(2025, 3, 15), None) == [date(2025, 3, 1)]
    assert billable_months(date(2025, 3, 15), None, date(2025, 5, 2), "2025-03") == [
        date(2025, 4, 1),
        date(2025, 5, 1),
    ]


def test_issue_example_one_through_move_out() -> None:
    found = charges_due(
        STEPS,
        Proration.ACTUAL_DAYS,
        1,
        date(2025, 3, 15),
        date(2025, 6, 10),
        date(2025, 12, 1),
        None,
    )
    assert [(c.period, c.amount, c.due_on) for c in found] == [
        ("2025-03", Decimal("987.10"), date(2025, 3, 15)),
        ("2025-04", Decimal("1800.00"), date(2025, 4, 1)),
        ("2025-05", Decimal("1800.00"), date(2025, 5, 1)),
        ("2025-06", Decimal("600.00"), date(2025, 6, 1)),
    ]


def test_a_rent_step_changes_the_month_it_takes_effect() -> None:
    found = charges_due(
        STEPS, Proration.ACTUAL_DAYS, 1, date(2025, 3, 15), None, date(2026, 3, 1), "2026-01"
    )
    assert [(c.period, c.amount) for c in found] == [
        ("2026-02", Decimal("1800.00")),
        ("2026-03", Decimal("1900.00")),
    ]


@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
    st.integers(min_value=0, max_value=900),
    st.integers(min_value=0, max_value=900),
)
def test_running_day_by_day_or_once_bills_the_same_months(
    start: date, run_days: int, split_days: int
) -> None:
    from datetime import timedelta

    as_of = start + timedelta(days=run_days)
    middle = start + timedelta(days=min(split_days, run_days))
    once = billable_months(start, None, as_of, None)
    first = billable_months(start, None, middle, None)
    last = f"{first[-1]:%Y-%m}" if first else None
    assert first + billable_months(start, None, as_of, last) == once
