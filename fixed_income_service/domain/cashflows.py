"""A bond's cash flows per 100 of original face, in payment order.

Coupon rule: each period pays `outstanding * coupon_rate * year_fraction(start, end)` with the
bond's day count over the unadjusted accrual dates, the reference period being the regular
period (a stub is measured against the notional regular period next to it, ICMA Rule 251).
Payments fall on the accrual end moved by the payment convention on the bond's calendar.
Principal repaid on a date follows that date's coupon. An FRN's accrual dates are moved by
the payment convention too, and its period rates are projected on a curve (`overnight.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from fixed_income_service.domain.bonds import BondTerms, BondType, Call
from fixed_income_service.domain.calendars import adjust, business_days_before
from fixed_income_service.domain.daycounts import year_fraction
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.domain.schedule import AccrualSchedule, accrual_schedule


@dataclass(frozen=True)
class Cashflow:
    """One payment; a coupon carries its accrual and reference periods, principal does not."""

    kind: str  # "coupon" or "principal"
    payment_date: date
    amount: float
    accrual_start: date
    accrual_end: date
    reference_start: date
    reference_end: date
    outstanding: float  # face outstanding during the period, per 100 original
    regular: bool
    ex_coupon_date: date | None = None


def bond_schedule(terms: BondTerms) -> AccrualSchedule:
    """The accrual schedule of the bond (for a zero: its notional periods, for street yields)."""
    return accrual_schedule(
        terms.issue_date,
        terms.maturity_date,
        terms.frequency,
        first_coupon=terms.first_coupon_date,
        penultimate_coupon=terms.penultimate_coupon_date,
        end_of_month_rule=terms.end_of_month,
    )


@lru_cache(maxsize=200_000)
def bond_cashflows(terms: BondTerms) -> tuple[Cashflow, ...]:
    """All cash flows of the bond from issue to maturity (cached: terms are immutable)."""
    schedule = bond_schedule(terms)
    if terms.bond_type is BondType.ZERO:
        pay = adjust(terms.calendar, terms.maturity_date, terms.payment_convention)
        start, end = schedule.dates[0], schedule.dates[-1]
        return (Cashflow("principal", pay, terms.redemption, start, end, start, end, 100.0, True),)
    repaid_on = _repayments(terms, schedule)
    flows: list[Cashflow] = []
    outstanding = 100.0
    last = len(schedule.dates) - 1
    for i in range(1, last + 1):
        start, end = schedule.dates[i - 1], schedule.dates[i]
        regular = schedule.regular[i - 1]
        ref_start, ref_end = start, end
        if i == 1 and not regular:
            ref_start = schedule.notional_period_start(end)
        elif i == last and not regular:
            ref_end = schedule.notional_period_end(start)
        if terms.bond_type is BondType.FRN:
            # An FRN accrues over adjusted dates (its compounding runs business day to day).
            start, end, ref_start, ref_end = (
                adjust(terms.calendar, day, terms.payment_convention)
                for day in (start, end, ref_start, ref_end)
            )
        pay = adjust(terms.calendar, end, terms.payment_convention)
        ex_date = (
            business_days_before(terms.calendar, pay, terms.ex_coupon_days)
            if terms.ex_coupon_days
            else None
        )
        rate = terms.projected_rates[i - 1] if terms.projected_rates else terms.coupon_rate
        amount = outstanding * rate * year_fraction(terms.day_count, start, end, ref_start, ref_end)
        flows.append(
            Cashflow("coupon", pay, amount, start, end, ref_start, ref_end, outstanding, regular,
                     ex_date)
        )  # fmt: skip
        repaid = outstanding if i == last else repaid_on.get(end, 0.0)
        if repaid:
            flows.append(
                Cashflow("principal", pay, repaid * terms.redemption / 100.0, start, end,
                         ref_start, ref_end, outstanding, regular)
            )  # fmt: skip
            outstanding -= repaid
    return tuple(flows)


def _repayments(terms: BondTerms, schedule: AccrualSchedule) -> dict[date, float]:
    coupon_dates = set(schedule.dates[1:-1])
    for repayment in terms.amortization:
        if repayment.date not in coupon_dates:
            raise Refusal(
                "invalid-amortization",
                f"repayment date {repayment.date} is not a coupon date before maturity",
            )
    repaid: dict[date, float] = {}
    for repayment in terms.amortization:
        repaid[repayment.date] = repaid.get(repayment.date, 0.0) + repayment.percent
    return repaid


@lru_cache(maxsize=200_000)
def cashflows_to_call(terms: BondTerms, call: Call) -> tuple[Cashflow, ...]:
    """The bond's flows if called on `call.date`: coupons to then, and the call price."""
    flows = [f for f in bond_cashflows(terms) if f.kind == "coupon" and f.accrual_end <= call.date]
    if not flows or flows[-1].accrual_end != call.date or call.date >= terms.maturity_date:
        raise Refusal("invalid-bond", f"call date {call.date} is not a coupon date before maturity")
    last = flows[-1]
    principal = Cashflow(
        "principal", last.payment_date, call.price, last.accrual_start, last.accrual_end,
        last.reference_start, last.reference_end, last.outstanding, last.regular,
    )  # fmt: skip
    return (*flows, principal)
