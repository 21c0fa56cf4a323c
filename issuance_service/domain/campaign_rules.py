"""Rules of a live campaign: duration, extension, early close, pledges, cancellation, outcome.

All times are aware UTC datetimes; amounts are Decimals in the campaign's currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import holidays

MIN_DURATION = timedelta(days=21)
# Reg CF: investors may cancel until 48 hours before the deadline, then the pledge is firm.
CANCEL_CUTOFF = timedelta(hours=48)
# Early close: investors get notice of at least five business days before the new deadline.
EARLY_CLOSE_NOTICE_BUSINESS_DAYS = 5
MAX_EXTENSIONS = 1
# A material change: investors reconfirm within five business days or are refunded.
RECONFIRM_BUSINESS_DAYS = 5
# US federal holidays as observed, from the maintained `holidays` package (years load lazily).
FEDERAL_HOLIDAYS = holidays.country_holidays("US")


class CampaignRuleBroken(Exception):  # noqa: N818 - names the outcome
    """A campaign rule refused the command; `kind` is the problem type."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail


@dataclass(frozen=True)
class Targets:
    """Success when `min_target` is reached by the deadline; never more than `max_target`."""

    min_target: Decimal
    max_target: Decimal

    def __post_init__(self) -> None:
        if not Decimal(0) < self.min_target <= self.max_target:
            raise CampaignRuleBroken(
                "invalid-targets", "targets must satisfy 0 < min_target <= max_target"
            )


def check_duration(duration: timedelta) -> None:
    """A campaign runs at least 21 days (Reg CF: the offering stays open that long)."""
    if duration < MIN_DURATION:
        raise CampaignRuleBroken(
            "duration-too-short", f"a campaign runs at least {MIN_DURATION.days} days"
        )


def add_business_days(start: datetime, days: int) -> datetime:
    """`start` moved forward by `days` business days: the SEC's meaning (Rule 17 CFR 230.100's
    and Reg CF's), every day but Saturday, Sunday and a US federal holiday (as observed)."""
    moved, left = start, days
    while left:
        moved += timedelta(days=1)
        if moved.weekday() < 5 and moved.date() not in FEDERAL_HOLIDAYS:
            left -= 1
    return moved


def extended_deadline(
    deadline: datetime, new_deadline: datetime, extensions_used: int, now: datetime
) -> datetime:
    """The deadline after the one allowed extension; it must move later and be in the future."""
    if extensions_used >= MAX_EXTENSIONS:
        raise CampaignRuleBroken("extension-used", "a campaign may be extended once")
    if new_deadline <= deadline or new_deadline <= now:
        raise CampaignRuleBroken(
            "extension-not-later", "the new deadline must be later than the current one"
        )
    return new_deadline


def early_close_deadline(
    opened_at: datetime, deadline: datetime, raised: Decimal, targets: Targets, now: datetime
) -> datetime:
    """The deadline of an early close: only once `min_target` is met, after at least five
    business days of notice and never before the 21-day minimum; never later than it was."""
    if raised < targets.min_target:
        raise CampaignRuleBroken(
            "target-not-met", "a campaign may close early only once min_target is met"
        )
    earliest = max(
        add_business_days(now, EARLY_CLOSE_NOTICE_BUSINESS_DAYS), opened_at + MIN_DURATION
    )
    if earliest >= deadline:
        raise CampaignRuleBroken(
            "early-close-too-late", "with the notice owed, closing early would not be earlier"
        )
    return earliest


def reconfirmation_deadline(deadline: datetime, now: datetime) -> datetime:
    """After a material change, investors have five business days to reconfirm their pledge
    (else it is refunded); the campaign must stay open that long, so a deadline sooner than
    that is refused (extend first)."""
    reconfirm_by = add_business_days(now, RECONFIRM_BUSINESS_DAYS)
    if reconfirm_by > deadline:
        raise CampaignRuleBroken(
            "reconfirmation-window-too-short",
            "the deadline comes before investors could reconfirm: extend the campaign first",
        )
    return reconfirm_by


def accept_pledge(raised: Decimal, amount: Decimal, targets: Targets, unit_price: Decimal) -> None:
    """First come first served: a pledge that would pass `max_target` is refused whole."""
    if amount <= 0 or amount % unit_price != 0:
        raise CampaignRuleBroken(
            "invalid-amount", f"an investment is a positive multiple of the unit price {unit_price}"
        )
    if raised + amount > targets.max_target:
        raise CampaignRuleBroken(
            "oversubscribed",
            f"only {targets.max_target - raised} is left below max_target {targets.max_target}",
        )


def may_cancel(deadline: datetime, now: datetime) -> bool:
    """An investor may cancel a pledge until 48 hours before the deadline (excluded)."""
    return now < deadline - CANCEL_CUTOFF


def is_due(deadline: datetime, now: datetime) -> bool:
    """The campaign's deadline has come: it closes now."""
    return now >= deadline


def outcome_command_succeeds(raised: Decimal, targets: Targets) -> bool:
    """Success is reaching `min_target` by the deadline."""
    return raised >= targets.min_target
