"""The fee plan of one lease: posts what is missing, reverses what a payment made unnecessary,
and a run for an earlier day never touches later fees."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from realestate_service.billing.late_fees import AllocationFacts, ChargeFacts, plan_fees
from realestate_service.domain.late_fees import LateFeePolicy, Recurrence

POLICY = LateFeePolicy(
    grace_days=5,
    initial_amount=Decimal("50"),
    recurrence=Recurrence.DAILY,
    recurring_amount=Decimal("10"),
    cap_per_charge=Decimal("150"),
    minimum_outstanding=Decimal("25"),
)
RENT = ChargeFacts(uuid.uuid4(), "rent", Decimal("1400"), date(2025, 4, 1), "2025-04", False, None)


def fee(day: int) -> ChargeFacts:
    amount = Decimal("50") if day == 7 else Decimal("10")
    return ChargeFacts(
        uuid.uuid4(), "late_fee", amount, date(2025, 4, day), "2025-04", True, RENT.id
    )


def test_posts_the_missing_days_with_keys_that_make_reruns_no_ops() -> None:
    posted = [fee(7)]
    plan = plan_fees(POLICY, [RENT, *posted], set(), set(), [], date(2025, 4, 9))
    assert [(f.day.day, f.amount) for f in plan.to_post] == [(8, Decimal("10")), (9, Decimal("10"))]
    assert plan.to_post[0].dedupe_key == f"late_fee:{RENT.id}:2025-04-08:0"
    assert plan.to_reverse == []


def test_a_run_for_an_earlier_day_leaves_later_fees_alone() -> None:
    fees = [fee(7), fee(8), fee(9)]
    plan = plan_fees(POLICY, [RENT, *fees], set(), set(), [], date(2025, 4, 7))
    assert plan.to_post == []
    assert plan.to_reverse == []


def test_a_payment_received_in_grace_reverses_every_fee() -> None:
    fees = [fee(7), fee(8)]
    paid = AllocationFacts(RENT.id, uuid.uuid4(), Decimal("1400"), date(2025, 4, 5))
    plan = plan_fees(POLICY, [RENT, *fees], set(), set(), [paid], date(2025, 4, 8))
    assert sorted(plan.to_reverse) == sorted(f.id for f in fees)


def test_a_bounced_payment_counts_for_nothing_and_a_reversed_day_gets_a_new_key() -> None:
    payment = uuid.uuid4()
    paid = AllocationFacts(RENT.id, payment, Decimal("1400"), date(2025, 4, 5))
    reversed_fee = fee(7)
    plan = plan_fees(
        POLICY, [RENT, reversed_fee], {payment}, {reversed_fee.id}, [paid], date(2025, 4, 7)
    )
    assert [(f.day.day, f.dedupe_key.rsplit(":", 1)[-1]) for f in plan.to_post] == [(7, "1")]
