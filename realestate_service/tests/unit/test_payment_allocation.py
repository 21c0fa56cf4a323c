"""Allocation order, including the issue's worked example 2."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from realestate_service.domain.allocation import OpenCharge, allocate

JAN_RENT = OpenCharge(uuid.uuid4(), "rent", date(2025, 1, 1), Decimal("1200"), 1)
JAN_FEE = OpenCharge(uuid.uuid4(), "late_fee", date(2025, 1, 7), Decimal("75"), 2)
FEB_RENT = OpenCharge(uuid.uuid4(), "rent", date(2025, 2, 1), Decimal("1200"), 3)


def open_after(pairs: list[tuple[uuid.UUID, Decimal]], *charges: OpenCharge) -> dict[str, Decimal]:
    paid = dict(pairs)
    return {f"{c.kind}:{c.due_on:%m}": c.open_amount - paid.get(c.id, Decimal(0)) for c in charges}


def test_oldest_first_leaves_975_of_february_rent() -> None:
    pairs, left = allocate(Decimal("1500"), [FEB_RENT, JAN_FEE, JAN_RENT])
    assert left == 0
    assert open_after(pairs, JAN_RENT, JAN_FEE, FEB_RENT) == {
        "rent:01": Decimal(0),
        "late_fee:01": Decimal(0),
        "rent:02": Decimal("975"),
    }


def test_fees_last_leaves_the_75_fee_and_900_of_february_rent() -> None:
    pairs, left = allocate(Decimal("1500"), [FEB_RENT, JAN_FEE, JAN_RENT], fees_last=True)
    assert left == 0
    assert open_after(pairs, JAN_RENT, JAN_FEE, FEB_RENT) == {
        "rent:01": Decimal(0),
        "late_fee:01": Decimal("75"),
        "rent:02": Decimal("900"),
    }


def test_same_due_date_rent_before_other_charges_before_fees() -> None:
    day = date(2025, 3, 1)
    fee = OpenCharge(uuid.uuid4(), "late_fee", day, Decimal("10"), 1)
    parking = OpenCharge(uuid.uuid4(), "parking", day, Decimal("10"), 2)
    rent = OpenCharge(uuid.uuid4(), "rent", day, Decimal("10"), 3)
    pairs, _ = allocate(Decimal("15"), [fee, parking, rent])
    assert pairs == [(rent.id, Decimal("10")), (parking.id, Decimal("5"))]


def test_money_beyond_the_open_charges_is_left_as_credit() -> None:
    pairs, left = allocate(Decimal("2000"), [JAN_RENT])
    assert pairs == [(JAN_RENT.id, Decimal("1200"))]
    assert left == Decimal("800")


kinds = st.sampled_from(["rent", "utility", "late_fee", "nsf_fee", "other"])
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
charges = st.lists(
    st.builds(
        OpenCharge,
        st.uuids(),
        kinds,
        st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 1, 1)),
        amounts,
        st.integers(min_value=0, max_value=10_000),
    ),
    max_size=12,
    unique_by=lambda c: c.id,
)


@given(charges, st.decimals(min_value=0, max_value=Decimal("40000"), places=2), st.booleans())
def test_allocations_never_exceed_a_charge_or_the_payment(
    open_charges: list[OpenCharge], money: Decimal, fees_last: bool
) -> None:
    pairs, left = allocate(money, open_charges, fees_last=fees_last)
    by_id = {c.id: c for c in open_charges}
    assert all(0 < amount <= by_id[cid].open_amount for cid, amount in pairs)
    assert len({cid for cid, _ in pairs}) == len(pairs)
    assert sum((a for _, a in pairs), Decimal(0)) + left == money
    assert left >= 0
    total_open = sum((c.open_amount for c in open_charges), Decimal(0))
    assert left == max(Decimal(0), money - total_open)
