"""A bond's terms, as data: type, coupon, dates and every convention that prices it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from fixed_income_service.domain.calendars import CALENDARS, BusinessDayConvention
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.refusals import Refusal

FREQUENCIES = (1, 2, 4, 12)
MAX_EX_COUPON_DAYS = 30
MAX_LOOKBACK_DAYS = 10
# The engine's calendar tables cover these years; a bond's dates stay inside them (with room
# for reference periods either side).
EARLIEST, LATEST = date(1950, 1, 1), date(2150, 12, 31)


class BondType(StrEnum):
    """What the bond pays: a fixed coupon, nothing until maturity, or face back in slices."""

    FIXED = "fixed"
    ZERO = "zero"
    AMORTIZING = "amortizing"
    FRN = "frn"


@dataclass(frozen=True)
class Repayment:
    """Part of the original face (percent) repaid at the end of the accrual period `date`."""

    date: date
    percent: float


@dataclass(frozen=True)
class Call:
    """The issuer may redeem the whole bond on `date` (a coupon date) at `price` per 100."""

    date: date
    price: float


@dataclass(frozen=True)
class BondTerms:
    """Everything needed to build a bond's cash flows.

    Rates are annual decimals (0.045 is 4.5 %); `redemption` is paid per 100 of face repaid;
    `ex_coupon_days` are business days of `calendar` before each payment date.
    """

    bond_type: BondType
    issue_date: date
    maturity_date: date
    coupon_rate: float = 0.0
    frequency: int = 2
    day_count: DayCount = DayCount.THIRTY_360_US
    calendar: str = "US-GOVT"
    payment_convention: BusinessDayConvention = BusinessDayConvention.FOLLOWING
    end_of_month: bool = False
    first_coupon_date: date | None = None
    penultimate_coupon_date: date | None = None
    ex_coupon_days: int = 0
    redemption: float = 100.0
    amortization: tuple[Repayment, ...] = field(default_factory=tuple)
    calls: tuple[Call, ...] = field(default_factory=tuple)
    # A floating-rate note pays a compounded overnight rate, fixed `lookback_days` business
    # days early, plus `spread`; its period rates (index + spread) once projected on a curve.
    spread: float = 0.0
    lookback_days: int = 0
    projected_rates: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        # Plain strings are accepted for the enumerations and turned into their members.
        try:
            object.__setattr__(self, "bond_type", BondType(self.bond_type))
            object.__setattr__(self, "day_count", DayCount(self.day_count))
            convention = BusinessDayConvention(self.payment_convention)
            object.__setattr__(self, "payment_convention", convention)
        except ValueError as exc:
            raise Refusal("invalid-bond", str(exc)) from exc
        check_terms(self)


def check_terms(terms: BondTerms) -> None:
    """Refuse terms no bond can have (the schedule checks its own dates)."""
    if terms.frequency not in FREQUENCIES:
        raise Refusal("invalid-bond", f"frequency must be one of {FREQUENCIES}")
    if terms.calendar not in CALENDARS:
        raise Refusal("unknown-calendar", f"no calendar {terms.calendar!r}; know {list(CALENDARS)}")
    if not math.isfinite(terms.coupon_rate) or not 0.0 <= terms.coupon_rate <= 1.0:
        raise Refusal("invalid-bond", "coupon_rate must be a decimal between 0 and 1")
    if terms.bond_type in (BondType.ZERO, BondType.FRN) and terms.coupon_rate != 0.0:
        raise Refusal("invalid-bond", "a zero-coupon bond or an FRN has coupon_rate 0")
    if terms.bond_type is BondType.FRN and (terms.ex_coupon_days or terms.calls):
        raise Refusal("invalid-bond", "an FRN has no ex-coupon days and no calls here")
    if terms.bond_type is not BondType.FRN and (terms.spread or terms.lookback_days):
        raise Refusal("invalid-bond", "only an FRN has a spread and lookback days")
    if not math.isfinite(terms.spread) or abs(terms.spread) > 1.0:
        raise Refusal("invalid-bond", "spread must be a decimal within ±1")
    if not 0 <= terms.lookback_days <= MAX_LOOKBACK_DAYS:
        raise Refusal("invalid-bond", f"lookback_days must be 0 to {MAX_LOOKBACK_DAYS}")
    if not math.isfinite(terms.redemption) or not 0.0 < terms.redemption <= 1000.0:
        raise Refusal("invalid-bond", "redemption must be above 0 and at most 1000 per 100")
    if not 0 <= terms.ex_coupon_days <= MAX_EX_COUPON_DAYS:
        raise Refusal("invalid-bond", f"ex_coupon_days must be 0 to {MAX_EX_COUPON_DAYS}")
    if terms.issue_date < EARLIEST or terms.maturity_date > LATEST:
        raise Refusal("invalid-bond", f"bond dates lie between {EARLIEST} and {LATEST}")
    if terms.maturity_date <= terms.issue_date:
        raise Refusal("invalid-schedule", "maturity_date must be after issue_date")
    if terms.bond_type is not BondType.AMORTIZING and terms.amortization:
        raise Refusal("invalid-amortization", "only an amortizing bond has an amortization")
    if terms.bond_type is BondType.AMORTIZING and not terms.amortization:
        raise Refusal("invalid-amortization", "an amortizing bond needs repayments")
    if terms.calls and terms.bond_type is not BondType.FIXED:
        raise Refusal("invalid-bond", "only a fixed-rate bond has calls here")
    if any(not 0.0 < call.price <= 1000.0 for call in terms.calls):
        raise Refusal("invalid-bond", "a call price is above 0 and at most 1000 per 100")
    total = sum(repayment.percent for repayment in terms.amortization)
    if any(not 0.0 < r.percent < 100.0 for r in terms.amortization) or total >= 100.0:
        raise Refusal("invalid-amortization", "repayments are each above 0 and sum below 100")
