"""Aging buckets: boundaries, and the buckets always add up to the balance."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from realestate_service.domain.aging import age, bucket_of

AS_OF = date(2025, 6, 30)


def test_bucket_boundaries() -> None:
    assert bucket_of(AS_OF + timedelta(days=1), AS_OF) == "not_yet_due"
    assert bucket_of(AS_OF, AS_OF) == "0_30"
    assert bucket_of(AS_OF - timedelta(days=30), AS_OF) == "0_30"
    assert bucket_of(AS_OF - timedelta(days=31), AS_OF) == "31_60"
    assert bucket_of(AS_OF - timedelta(days=60), AS_OF) == "31_60"
    assert bucket_of(AS_OF - timedelta(days=61), AS_OF) == "61_90"
    assert bucket_of(AS_OF - timedelta(days=91), AS_OF) == "91_plus"


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=-40, max_value=400),
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999"), places=2),
        )
    ),
    st.decimals(min_value=0, max_value=Decimal("5000"), places=2),
)
def test_buckets_add_up_to_receivable_minus_credit(
    charges: list[tuple[int, Decimal]], credit: Decimal
) -> None:
    open_charges = [(AS_OF - timedelta(days=d), a) for d, a in charges]
    buckets = age(open_charges, credit, AS_OF)
    assert (
        sum(buckets.values(), Decimal(0)) == sum((a for _, a in open_charges), Decimal(0)) - credit
    )
