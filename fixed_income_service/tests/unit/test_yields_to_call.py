"""Yields to call against QuantLib: the bond redeemed on a call date at the call price is
QuantLib's fixed-rate bond on the schedule cut at that date."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import QuantLib as ql  # noqa: N813

from fixed_income_service.domain.analytics import Item, Quote, analyse
from fixed_income_service.domain.bonds import BondTerms, BondType, Call
from fixed_income_service.domain.cashflows import bond_schedule
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.tests import quantlib_oracle as oracle
from fixed_income_service.tests.random_bonds import random_settlement, random_terms


def callable_bonds(count: int) -> list[Any]:
    rng, index = random.Random(99), 0
    found: list[Any] = []
    while len(found) < count:
        terms = random_terms(rng, index)
        index += 1
        dates = bond_schedule(terms).dates
        if terms.bond_type is not BondType.FIXED or len(dates) < 5:
            continue
        calls = tuple(Call(day, rng.choice((100.0, 101.0))) for day in dates[-4:-1])
        terms = replace(terms, calls=calls)
        settlement = random_settlement(rng, terms)
        if settlement < dates[-4]:
            found.append((terms, settlement, rng.uniform(0.01, 0.08)))
    return found


def quantlib_yield_to_call(terms, call, settlement, clean):
    full = oracle.schedule(terms)
    dates = [d for d in full if oracle.pydate(d) <= call.date]
    regular = [full.isRegular(i) for i in range(1, len(dates))]
    cut = ql.Schedule(
        dates, oracle.calendar(terms.calendar), ql.Unadjusted, ql.Unadjusted,
        ql.Period(oracle.FREQUENCIES[terms.frequency]), ql.DateGeneration.Backward,
        terms.end_of_month, regular,
    )  # fmt: skip
    ex = ql.Period(terms.ex_coupon_days, ql.Days) if terms.ex_coupon_days else ql.Period()
    cal = oracle.calendar(terms.calendar)
    bond = ql.FixedRateBond(
        0, 100.0, cut, [terms.coupon_rate], oracle.DAY_COUNTS[terms.day_count],
        oracle.CONVENTIONS[terms.payment_convention], call.price, oracle.qdate(terms.issue_date),
        cal, ex, cal, ql.Unadjusted, False,
    )  # fmt: skip
    when = oracle.qdate(settlement)
    ql.Settings.instance().evaluationDate = when
    return ql.BondFunctions.bondYield(
        bond, ql.BondPrice(clean, ql.BondPrice.Clean), oracle.DAY_COUNTS[terms.day_count],
        ql.Compounded, oracle.FREQUENCIES[terms.frequency], when, 1e-16, 1000, 0.05,
    )  # fmt: skip


def test_yields_to_call_agree_with_quantlib_within_1e_12():
    worst, checked = 0.0, 0
    for terms, settlement, rate in callable_bonds(60):
        answer: Any
        [answer] = analyse([Item(terms, Quote("yield", rate))], settlement, "true",
                           ["clean_price", "yield_to_call", "yield_to_worst"])  # fmt: skip
        for call, found in zip(terms.calls, answer["yield_to_call"], strict=True):
            expected = quantlib_yield_to_call(terms, call, settlement, answer["clean_price"])
            worst = max(worst, abs(found["yield"] - expected))
            checked += 1
        lowest = min([rate] + [c["yield"] for c in answer["yield_to_call"]])
        assert answer["yield_to_worst"] == lowest
    assert checked >= 150
    assert worst <= 1e-12


def test_a_premium_bond_callable_at_par_is_worst_at_its_first_call():
    calls = (Call(date(2032, 6, 15), 100.0), Call(date(2034, 6, 15), 100.0))
    premium = BondTerms(BondType.FIXED, date(2026, 6, 15), date(2036, 6, 15), 0.06, 2,
                        DayCount.THIRTY_360_US, "US-GOVT", calls=calls)  # fmt: skip
    answer: Any
    [answer] = analyse([Item(premium, Quote("yield", 0.03))], date(2030, 1, 10), "street",
                       ["yield_to_call", "yield_to_worst"])  # fmt: skip
    first, second = (c["yield"] for c in answer["yield_to_call"])
    assert answer["worst_date"] == "2032-06-15"
    assert answer["yield_to_worst"] == first
    assert first < second < 0.03


def test_a_call_off_the_coupon_dates_is_that_items_problem():
    terms, settlement, _ = callable_bonds(1)[0]
    off = replace(terms, calls=(Call(terms.calls[0].date + timedelta(days=1), 100.0),))
    answers: Any = analyse(
        [Item(off, Quote("yield", 0.05)), Item(terms, Quote("yield", 0.05))], settlement,
        "true", ["yield_to_call"],
    )  # fmt: skip
    assert isinstance(answers[0], Refusal)
    assert answers[0].kind == "invalid-bond"
    assert len(answers[1]["yield_to_call"]) == 3
