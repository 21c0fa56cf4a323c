"""Late-fee policy evaluation, including the issue's worked example 3."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from realestate_service.domain.late_fees import (
    ChargeTimeline,
    InitialKind,
    InvalidPolicyError,
    LateFeePolicy,
    Recurrence,
    expected_fees,
    reconcile,
)

EXAMPLE = LateFeePolicy(
    grace_days=5,
    initial_kind=InitialKind.FLAT,
    initial_amount=Decimal("50"),
    recurrence=Recurrence.DAILY,
    recurring_amount=Decimal("10"),
    cap_per_charge=Decimal("150"),
    minimum_outstanding=Decimal("25"),
)
DUE = date(2025, 4, 1)
RENT = Decimal("1400")


def fees(
    *payments: tuple[date, str], through: date = date(2025, 5, 31)
) -> list[tuple[date, Decimal]]:
    charge = ChargeTimeline("rent", RENT, DUE, tuple((d, Decimal(a)) for d, a in payments))
    return expected_fees(EXAMPLE, charge, through)


def total(found: list[tuple[date, Decimal]]) -> Decimal:
    return sum((a for _, a in found), Decimal(0))


def test_paid_on_the_last_grace_day_no_fee() -> None:
    assert fees((date(2025, 4, 6), "1400")) == []


def test_paid_april_12_leaves_100_of_fees() -> None:
    found = fees((date(2025, 4, 12), "1400"))
    assert total(found) == Decimal("100")
    assert found[0] == (date(2025, 4, 7), Decimal("50"))
    assert found[-1] == (date(2025, 4, 12), Decimal("10"))


def test_never_paid_fees_stop_at_the_cap_on_april_17_balance_1550() -> None:
    found = fees()
    assert total(found) == Decimal("150")
    assert found[-1][0] == date(2025, 4, 17)
    assert RENT + total(found) == Decimal("1550")
    assert fees(through=date(2025, 4, 16))[-1][0] == date(2025, 4, 16)
    assert total(fees(through=date(2025, 4, 16))) == Decimal("140")


def test_1380_paid_by_april_6_leaves_20_under_the_minimum_no_fee() -> None:
    assert fees((date(2025, 4, 6), "1380")) == []


def test_first_fee_is_the_day_after_grace_ends() -> None:
    assert fees(through=date(2025, 4, 6)) == []
    assert fees(through=date(2025, 4, 7)) == [(date(2025, 4, 7), Decimal("50"))]


def test_percent_of_rent_and_percent_of_outstanding() -> None:
    owed_part = ChargeTimeline("rent", RENT, DUE, ((date(2025, 4, 3), Decimal("400")),))
    rent_pct = LateFeePolicy(
        grace_days=5, initial_kind=InitialKind.PERCENT_RENT, initial_amount=Decimal("5")
    )
    owed_pct = LateFeePolicy(
        grace_days=5, initial_kind=InitialKind.PERCENT_OUTSTANDING, initial_amount=Decimal("5")
    )
    assert expected_fees(rent_pct, owed_part, date(2025, 5, 1)) == [
        (date(2025, 4, 7), Decimal("70.00"))
    ]
    assert expected_fees(owed_pct, owed_part, date(2025, 5, 1)) == [
        (date(2025, 4, 7), Decimal("50.00"))
    ]


def test_monthly_recurring_fee_on_the_initial_fee_day_of_each_month() -> None:
    policy = LateFeePolicy(
        grace_days=29,
        initial_amount=Decimal("50"),
        recurrence=Recurrence.MONTHLY,
        recurring_amount=Decimal("25"),
    )
    charge = ChargeTimeline("rent", RENT, date(2025, 1, 1))
    # due 01-01 + 29 grace days: first fee 01-31; then 02-28 (clamped), 03-31
    assert expected_fees(policy, charge, date(2025, 3, 31)) == [
        (date(2025, 1, 31), Decimal("50")),
        (date(2025, 2, 28), Decimal("25")),
        (date(2025, 3, 31), Decimal("25")),
    ]


def test_never_a_fee_on_a_fee_and_only_applicable_kinds() -> None:
    fee_charge = ChargeTimeline("late_fee", Decimal("50"), DUE)
    parking = ChargeTimeline("parking", Decimal("50"), DUE)
    anyone = LateFeePolicy(grace_days=0, initial_amount=Decimal("5"))
    assert expected_fees(anyone, fee_charge, date(2025, 6, 1)) == []
    assert expected_fees(anyone, parking, date(2025, 6, 1)) == []
    with pytest.raises(InvalidPolicyError):
        LateFeePolicy(applies_to=frozenset({"rent", "late_fee"})).check()


def test_a_backdated_payment_reverses_the_fees_it_made_unnecessary() -> None:
    posted = [d for d, _ in fees(through=date(2025, 4, 12))]
    assert len(posted) == 6
    plan = reconcile(fees((date(2025, 4, 5), "1400"), through=date(2025, 4, 12)), posted)
    assert plan.to_post == []
    assert plan.to_reverse == posted


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=60),
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("800"), places=2),
        ),
        max_size=4,
    ),
    st.integers(min_value=0, max_value=80),
)
def test_fees_respect_cap_minimum_and_rerunning_changes_nothing(
    payments: list[tuple[int, Decimal]], horizon: int
) -> None:
    charge = ChargeTimeline(
        "rent", RENT, DUE, tuple((DUE + timedelta(days=d), a) for d, a in payments)
    )
    through = DUE + timedelta(days=horizon)
    found = expected_fees(EXAMPLE, charge, through)
    assert total(found) <= EXAMPLE.cap_per_charge  # type: ignore[operator]
    for day, _ in found:
        assert day > DUE + timedelta(days=EXAMPLE.grace_days)
        owed = charge.owed_at_end_of(day - timedelta(days=1))
        assert owed >= EXAMPLE.minimum_outstanding
        assert owed > 0
    again = reconcile(expected_fees(EXAMPLE, charge, through), [d for d, _ in found])
    assert again.to_post == []
    assert again.to_reverse == []
