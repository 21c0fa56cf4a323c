"""Proration and due dates, including the issue's worked example 1 (amounts in dollars)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from realestate_service.domain.proration import Proration, due_date, month_charge, prorate

RENT = Decimal("1800")


def test_move_in_mid_march_actual_days_is_987_10_due_on_move_in() -> None:
    charge = month_charge(RENT, Proration.ACTUAL_DAYS, 1, date(2025, 3, 1), date(2025, 3, 15), None)
    assert charge is not None
    assert charge.amount == Decimal("987.10")
    assert charge.due_on == date(2025, 3, 15)
    assert charge.occupied_days == 17


def test_move_in_mid_march_thirty_day_is_1020() -> None:
    charge = month_charge(RENT, Proration.THIRTY_DAY, 1, date(2025, 3, 1), date(2025, 3, 15), None)
    assert charge is not None
    assert charge.amount == Decimal("1020.00")


def test_move_out_june_10_counts_the_move_out_day() -> None:
    charge = month_charge(
        RENT, Proration.ACTUAL_DAYS, 1, date(2025, 6, 1), date(2025, 3, 15), date(2025, 6, 10)
    )
    assert charge is not None
    assert charge.amount == Decimal("600.00")
    assert charge.due_on == date(2025, 6, 1)


def test_due_day_31_falls_on_february_28() -> None:
    assert due_date(2025, 2, 31) == date(2025, 2, 28)
    assert due_date(2024, 2, 31) == date(2024, 2, 29)
    assert due_date(2025, 4, 31) == date(2025, 4, 30)


def test_full_month_is_the_rent_whatever_the_method() -> None:
    for method in Proration:
        assert prorate(RENT, method, date(2025, 2, 1), date(2025, 2, 28)) == RENT


def test_annual_uses_the_days_of_the_year() -> None:
    # 1800 x 12 x 17 / 365 = 367200 / 365 = 1006.0274 -> 1006.03
    assert prorate(RENT, Proration.ANNUAL, date(2025, 3, 15), date(2025, 3, 31)) == Decimal(
        "1006.03"
    )


def test_full_bills_a_partial_month_whole_and_none_not_at_all() -> None:
    assert prorate(RENT, Proration.FULL, date(2025, 3, 15), date(2025, 3, 31)) == RENT
    assert month_charge(RENT, Proration.NONE, 1, date(2025, 3, 1), date(2025, 3, 15), None) is None


def test_rounding_is_half_up_at_the_cent() -> None:
    # 1000 x 1 / 8 days... use 30-day: 100.05 x 15 / 30 = 50.025 -> 50.03 (half-up, not even)
    assert prorate(
        Decimal("100.05"), Proration.THIRTY_DAY, date(2025, 4, 16), date(2025, 4, 30)
    ) == (Decimal("50.03"))


def test_a_month_outside_the_lease_has_no_charge() -> None:
    assert (
        month_charge(RENT, Proration.ACTUAL_DAYS, 1, date(2025, 2, 1), date(2025, 3, 15), None)
        is None
    )
    assert (
        month_charge(
            RENT, Proration.ACTUAL_DAYS, 1, date(2025, 7, 1), date(2025, 3, 15), date(2025, 6, 10)
        )
        is None
    )


def test_a_due_day_after_move_out_moves_to_the_move_out_day() -> None:
    charge = month_charge(
        RENT, Proration.ACTUAL_DAYS, 28, date(2025, 6, 1), date(2025, 1, 1), date(2025, 6, 10)
    )
    assert charge is not None
    assert charge.due_on == date(2025, 6, 10)


def test_bad_due_day_is_refused() -> None:
    with pytest.raises(ValueError, match="due day"):
        due_date(2025, 1, 0)


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
rents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)


@given(rents, days, st.integers(min_value=0, max_value=30), st.sampled_from(list(Proration)))
def test_a_partial_month_never_costs_more_than_the_rent(
    rent: Decimal, first: date, extra: int, method: Proration
) -> None:
    last_day = due_date(first.year, first.month, min(first.day + extra, 31))
    amount = prorate(rent, method, first, last_day)
    assert Decimal(0) <= amount <= rent
    assert amount == amount.quantize(Decimal("0.01"))


@given(rents, days)
def test_actual_days_of_two_halves_add_up_to_the_rent_within_a_cent(
    rent: Decimal, split: date
) -> None:
    start = split.replace(day=1)
    if split == start:
        return
    before = prorate(rent, Proration.ACTUAL_DAYS, start, split.replace(day=split.day - 1))
    after = prorate(rent, Proration.ACTUAL_DAYS, split, due_date(split.year, split.month, 31))
    assert abs(before + after - rent) <= Decimal("0.01")


@given(days, st.integers(min_value=1, max_value=31))
def test_due_date_always_exists_and_stays_in_its_month(month: date, due_day: int) -> None:
    due = due_date(month.year, month.month, due_day)
    assert (due.year, due.month) == (month.year, month.month)
    assert due.day == due_day or due.day < due_day
