"""Seeded random bonds covering every day count, calendar, stub, frequency and bond type."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from fixed_income_service.domain.bonds import BondTerms, BondType, Repayment
from fixed_income_service.domain.calendars import BusinessDayConvention
from fixed_income_service.domain.cashflows import bond_schedule
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.months import add_months, end_of_month

CALENDAR_NAMES = ("US-GOVT", "TARGET", "UK", "WEEKENDS")
STUBS = ("none", "short_first", "long_first", "short_last", "long_last", "odd_issue")


def random_terms(rng: random.Random, index: int) -> BondTerms:
    """Bond number `index` of a seeded sequence: the cycles make every combination appear."""
    day_count = list(DayCount)[index % len(DayCount)]
    frequency = (1, 2, 4, 12)[(index // 6) % 4]
    calendar = CALENDAR_NAMES[index % len(CALENDAR_NAMES)]
    stub = STUBS[(index // 3) % len(STUBS)]
    bond_type = (BondType.FIXED, BondType.FIXED, BondType.ZERO, BondType.AMORTIZING)[
        (index // 2) % 4
    ]
    step = 12 // frequency
    end_of_month = rng.random() < 0.25
    maturity = date(rng.randint(2028, 2055), rng.randint(1, 12), rng.randint(1, 28))
    if end_of_month:
        maturity = end_of_month_of(maturity)
    periods = rng.randint(2, 40 if frequency < 12 else 120)
    issue = add_months(maturity, -step * periods)
    first = penultimate = None
    if stub == "odd_issue":
        issue -= timedelta(days=rng.randint(1, step * 28))
    elif stub == "short_first":
        first = add_months(issue, step)
        issue += timedelta(days=rng.randint(1, step * 28 - 1))
    elif stub == "long_first" and periods > 2:
        first = add_months(issue, 2 * step)
        issue += timedelta(days=rng.randint(1, step * 28 - 1))
    elif stub == "short_last":
        penultimate = add_months(maturity, -step) + timedelta(days=rng.randint(1, step * 27))
    elif stub == "long_last" and periods > 2:
        penultimate = add_months(maturity, -2 * step) + timedelta(days=rng.randint(1, step * 27))
    if end_of_month:
        first = end_of_month_of(first) if first else None
        penultimate = end_of_month_of(penultimate) if penultimate else None
    if penultimate is not None and penultimate >= maturity:
        penultimate = None
    if first is not None and first <= issue:
        first = None
    coupon = 0.0 if bond_type is BondType.ZERO else round(rng.uniform(0.0, 0.12), 5)
    terms = BondTerms(
        bond_type=BondType.FIXED if bond_type is BondType.AMORTIZING else bond_type,
        issue_date=issue,
        maturity_date=maturity,
        coupon_rate=coupon,
        frequency=frequency,
        day_count=day_count,
        calendar=calendar,
        payment_convention=list(BusinessDayConvention)[rng.randrange(4)],
        end_of_month=end_of_month,
        first_coupon_date=first if bond_type is not BondType.ZERO else None,
        penultimate_coupon_date=penultimate if bond_type is not BondType.ZERO else None,
        ex_coupon_days=rng.choice((0, 0, 0, 7)) if bond_type is BondType.FIXED else 0,
        redemption=rng.choice((100.0, 100.0, 101.5)),
    )
    if bond_type is BondType.AMORTIZING:
        dates = bond_schedule(terms).dates[1:-1]
        chosen = sorted(rng.sample(dates, min(len(dates), rng.randint(1, 4))))
        repayments = tuple(Repayment(day, rng.choice((5.0, 10.0, 12.5))) for day in chosen)
        terms = replace(
            terms, bond_type=bond_type, amortization=repayments, ex_coupon_days=0, redemption=100.0
        )
    return terms


def end_of_month_of(day: date) -> date:
    return end_of_month(day)


def random_settlement(rng: random.Random, terms: BondTerms) -> date:
    """A settlement date between issue and the day before maturity."""
    span = (terms.maturity_date - terms.issue_date).days
    return terms.issue_date + timedelta(days=rng.randint(0, span - 2))
