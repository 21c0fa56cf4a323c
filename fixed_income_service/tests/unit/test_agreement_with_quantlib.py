"""The engine against QuantLib on seeded random bonds: every day count, calendar, stub,
frequency and bond type, in the `true` yield convention (QuantLib's)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import numpy as np
import pytest
import QuantLib as ql  # noqa: N813

from fixed_income_service.domain.book import bond_arrays, build_book
from fixed_income_service.domain.calendars import CALENDARS
from fixed_income_service.domain.cashflows import bond_schedule
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.pricing import price_and_risk, solve_yields
from fixed_income_service.domain.settled import settle
from fixed_income_service.tests import quantlib_oracle as oracle
from fixed_income_service.tests.random_bonds import random_settlement, random_terms

BONDS = 400
SEED = 20261201


def quantlib_figures(terms, settlement, rate):
    bond = oracle.bond(terms)
    when = oracle.qdate(settlement)
    ql.Settings.instance().evaluationDate = when
    if bond.notional(when) == 0 or all(cf.date() <= when for cf in bond.cashflows()):
        return None
    yield_ = oracle.interest_rate(terms, rate)
    accrued = ql.BondFunctions.accruedAmount(bond, when)
    clean = ql.BondFunctions.cleanPrice(bond, yield_, when)
    solved = ql.BondFunctions.bondYield(
        bond, ql.BondPrice(clean, ql.BondPrice.Clean), oracle.DAY_COUNTS[terms.day_count],
        ql.Compounded, oracle.FREQUENCIES[terms.frequency], when, 1e-16, 1000, 0.05,
    )  # fmt: skip
    return {
        "accrued": accrued,
        "clean": clean,
        "dirty": clean + accrued,
        "yield": solved,
        "modified": ql.BondFunctions.duration(bond, yield_, ql.Duration.Modified, when),
        "macaulay": ql.BondFunctions.duration(bond, yield_, ql.Duration.Macaulay, when),
        "convexity": ql.BondFunctions.convexity(bond, yield_, when),
    }


@pytest.fixture(scope="module")
def cases():
    rng = random.Random(SEED)
    found = []
    for index in range(BONDS):
        terms = random_terms(rng, index)
        settlement = random_settlement(rng, terms)
        rate = rng.uniform(-0.005, 0.15)
        figures = quantlib_figures(terms, settlement, rate)
        if figures is not None:
            found.append((index, terms, settlement, rate, figures))
    return found


def engine_figures(terms, settlement, rate, dirty):
    book = settle(build_book([bond_arrays(terms)]), settlement.toordinal())
    risk = price_and_risk(book, np.array([rate]), "true")
    yields, exists = solve_yields(book, np.array([dirty]), "true")
    assert exists[0]
    return {
        "accrued": book.accrued[0],
        "dirty": risk.dirty_price[0],
        "clean": risk.dirty_price[0] - book.accrued[0],
        "yield": yields[0],
        "modified": risk.modified_duration[0],
        "macaulay": risk.macaulay_duration[0],
        "convexity": risk.convexity[0],
    }


def test_the_random_bonds_cover_every_convention(cases):
    terms = [case[1] for case in cases]
    assert len(cases) >= BONDS * 0.95
    assert {t.day_count for t in terms} == set(DayCount)
    assert {t.calendar for t in terms} == set(CALENDARS)
    assert {t.frequency for t in terms} == {1, 2, 4, 12}
    assert {t.bond_type.value for t in terms} == {"fixed", "zero", "amortizing"}
    assert {t.payment_convention.value for t in terms} >= {"following", "preceding"}
    stubs = Counter(kind for t in terms for kind in stub_kinds(t))
    assert set(stubs) == {"short first", "long first", "short last", "long last"}
    assert min(stubs.values()) >= 10
    assert any(t.ex_coupon_days for t in terms)
    assert any(t.end_of_month for t in terms)


def stub_kinds(terms):
    """Which irregular periods the bond's schedule has (a zero has no coupon periods)."""
    if terms.bond_type.value == "zero":
        return []
    schedule = bond_schedule(terms)
    dates, kinds = schedule.dates, []
    if not schedule.regular[0]:
        notional = schedule.notional_period_start(dates[1])
        kinds.append("short first" if dates[0] > notional else "long first")
    if len(dates) > 2 and not schedule.regular[-1]:
        notional = schedule.notional_period_end(dates[-2])
        kinds.append("short last" if dates[-1] < notional else "long last")
    return kinds


def test_prices_agree_with_quantlib_within_1e_10_per_100(cases):
    worst = {"accrued": 0.0, "clean": 0.0, "dirty": 0.0}
    for _, terms, settlement, rate, expected in cases:
        mine = engine_figures(terms, settlement, rate, expected["dirty"])
        for measure in worst:
            worst[measure] = max(worst[measure], abs(mine[measure] - expected[measure]))
    assert max(worst.values()) <= 1e-10, worst


def test_yields_agree_with_quantlib_within_1e_12(cases):
    worst = 0.0
    for _, terms, settlement, rate, expected in cases:
        mine = engine_figures(terms, settlement, rate, expected["dirty"])
        worst = max(worst, abs(mine["yield"] - expected["yield"]))
    assert worst <= 1e-12


def test_durations_and_convexity_agree_with_quantlib_within_1e_9_relative(cases):
    worst = 0.0
    for _, terms, settlement, rate, expected in cases:
        mine = engine_figures(terms, settlement, rate, expected["dirty"])
        for measure in ("modified", "macaulay", "convexity"):
            if expected[measure]:
                worst = max(worst, abs(mine[measure] / expected[measure] - 1.0))
    assert worst <= 1e-9


def test_one_book_of_many_bonds_prices_each_as_quantlib_does(cases):
    # One settlement for the whole book, as a batch request has: each bond still agrees.
    rng = random.Random(SEED + 1)
    settlement = date(2030, 6, 14)
    chosen = [c for c in cases if c[1].issue_date <= settlement < c[1].maturity_date][:150]
    chosen = [c for c in chosen if quantlib_figures(c[1], settlement, 0.04) is not None]
    rates = np.array([rng.uniform(0.0, 0.1) for _ in chosen])
    book = settle(build_book([bond_arrays(c[1]) for c in chosen]), settlement.toordinal())
    risk = price_and_risk(book, rates, "true")
    expected = [quantlib_figures(c[1], settlement, r) for c, r in zip(chosen, rates, strict=True)]
    assert len(chosen) > 50
    assert np.max(np.abs(risk.dirty_price - [e["dirty"] for e in expected])) <= 1e-10
    yields, exists = solve_yields(book, np.array([e["dirty"] for e in expected]), "true")
    assert exists.all()
    assert np.max(np.abs(yields - [e["yield"] for e in expected])) <= 1e-12
