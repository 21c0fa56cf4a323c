"""Duration, extension, early close, oversubscription, cancellation cut-off, outcome."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from issuance_service.domain.campaign_rules import (
    CampaignRuleBroken,
    Targets,
    accept_pledge,
    add_business_days,
    check_duration,
    early_close_deadline,
    extended_deadline,
    is_due,
    may_cancel,
    outcome_command_succeeds,
)

D = Decimal
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # a Monday
TARGETS = Targets(D("10000"), D("50000"))


def test_twenty_one_days_is_the_shortest_campaign():
    check_duration(timedelta(days=21))
    with pytest.raises(CampaignRuleBroken, match="21 days") as caught:
        check_duration(timedelta(days=21) - timedelta(seconds=1))
    assert caught.value.kind == "duration-too-short"


@pytest.mark.parametrize(("low", "high"), [("0", "10"), ("20", "10"), ("-1", "5")])
def test_targets_must_be_ordered_and_positive(low, high):
    with pytest.raises(CampaignRuleBroken):
        Targets(D(low), D(high))


def test_extension_is_allowed_once_and_only_later():
    deadline = NOW + timedelta(days=10)
    later = deadline + timedelta(days=14)
    assert extended_deadline(deadline, later, 0, NOW) == later
    with pytest.raises(CampaignRuleBroken, match="once"):
        extended_deadline(deadline, later, 1, NOW)
    with pytest.raises(CampaignRuleBroken) as caught:
        extended_deadline(deadline, deadline, 0, NOW)
    assert caught.value.kind == "extension-not-later"


def test_five_business_days_skip_the_weekend():
    friday = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)
    assert add_business_days(friday, 5) == datetime(2026, 12, 18, 9, 0, tzinfo=UTC)
    assert add_business_days(NOW, 5) == NOW + timedelta(days=7)


def test_business_days_skip_federal_holidays():
    before_thanksgiving = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Thanksgiving: Thu 11-26
    assert add_business_days(before_thanksgiving, 5) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    before_christmas = datetime(2026, 12, 18, 9, 0, tzinfo=UTC)  # Christmas: Fri 12-25
    assert add_business_days(before_christmas, 5) == datetime(2026, 12, 28, 9, 0, tzinfo=UTC)


def test_early_close_needs_the_target_met():
    opened = NOW - timedelta(days=30)
    with pytest.raises(CampaignRuleBroken) as caught:
        early_close_deadline(opened, NOW + timedelta(days=30), D("9999.99"), TARGETS, NOW)
    assert caught.value.kind == "target-not-met"


def test_early_close_gives_five_business_days_of_notice():
    opened = NOW - timedelta(days=30)
    new = early_close_deadline(opened, NOW + timedelta(days=30), D("10000"), TARGETS, NOW)
    assert new == NOW + timedelta(days=7)  # Monday + 5 business days = next Monday


def test_early_close_never_cuts_the_21_day_minimum():
    opened = NOW - timedelta(days=2)
    new = early_close_deadline(opened, NOW + timedelta(days=40), D("20000"), TARGETS, NOW)
    assert new == opened + timedelta(days=21)


def test_early_close_that_would_not_be_earlier_is_refused():
    opened = NOW - timedelta(days=30)
    with pytest.raises(CampaignRuleBroken) as caught:
        early_close_deadline(opened, NOW + timedelta(days=3), D("20000"), TARGETS, NOW)
    assert caught.value.kind == "early-close-too-late"


def test_a_pledge_may_fill_up_to_max_target_exactly():
    accept_pledge(D("49000"), D("1000"), TARGETS, D("10"))


def test_a_pledge_beyond_max_target_is_refused_whole():
    with pytest.raises(CampaignRuleBroken, match="only 990 is left") as caught:
        accept_pledge(D("49010"), D("1000"), TARGETS, D("10"))
    assert caught.value.kind == "oversubscribed"


@pytest.mark.parametrize("amount", ["0", "-10", "15", "10.01"])
def test_a_pledge_is_a_positive_multiple_of_the_unit_price(amount):
    with pytest.raises(CampaignRuleBroken) as caught:
        accept_pledge(D(0), D(amount), TARGETS, D("10"))
    assert caught.value.kind == "invalid-amount"


def test_cancellation_closes_48_hours_before_the_deadline():
    deadline = NOW + timedelta(days=5)
    assert may_cancel(deadline, deadline - timedelta(hours=48, seconds=1))
    assert not may_cancel(deadline, deadline - timedelta(hours=48))
    assert not may_cancel(deadline, deadline - timedelta(hours=1))


def test_due_at_the_deadline_not_before():
    assert not is_due(NOW, NOW - timedelta(microseconds=1))
    assert is_due(NOW, NOW)


def test_success_is_reaching_min_target():
    assert outcome_command_succeeds(D("10000"), TARGETS)
    assert not outcome_command_succeeds(D("9999.99"), TARGETS)


def test_a_material_change_gives_five_business_days_to_reconfirm():
    from issuance_service.domain.campaign_rules import reconfirmation_deadline

    friday = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)
    deadline = friday + timedelta(days=20)
    assert reconfirmation_deadline(deadline, friday) == friday + timedelta(days=7)
    with pytest.raises(CampaignRuleBroken) as caught:
        reconfirmation_deadline(friday + timedelta(days=6), friday)
    assert caught.value.kind == "reconfirmation-window-too-short"
