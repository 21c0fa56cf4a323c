"""Brinson-Fachler on a published worked example and by hand, Carino linking worked by hand, and
the effects summing to the active return."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio_service.domain.attribution import (
    ClassPeriod,
    NotLinkable,
    Segment,
    brinson_fachler,
    linked,
    period_segments,
)
from portfolio_service.domain.benchmark import MissingClose, index_return, rate_return

# Carl Bacon, "Practical Portfolio Performance Measurement and Attribution" (Wiley), the
# Brinson-Fachler worked example (pp. 126-129): UK, Japanese and US equities.
# Quarter 1 is the book's; quarter 2 is the next quarter of the same data set (the Frongello
# linking example, p. 201), used here for Carino.
BACON_Q1 = {
    "UK": Segment(0.4, 0.20, 0.4, 0.10),
    "JP": Segment(0.3, -0.05, 0.2, -0.04),
    "US": Segment(0.3, 0.06, 0.4, 0.08),
}
BACON_Q2 = {
    "UK": Segment(0.7, -0.05, 0.4, -0.07),
    "JP": Segment(0.2, 0.03, 0.3, 0.04),
    "US": Segment(0.1, -0.05, 0.3, -0.10),
}


def test_bacon_worked_example():
    # Portfolio 8.3 %, benchmark 6.4 %: active 1.9 % = allocation -1.2 % + selection 3.0 %
    # + interaction 0.1 %, as the book has it.
    effects = brinson_fachler(BACON_Q1)

    assert effects["UK"].allocation == pytest.approx(0.0)
    assert effects["JP"].allocation == pytest.approx(0.1 * (-0.04 - 0.064))  # -1.04 %
    assert effects["US"].allocation == pytest.approx(-0.1 * (0.08 - 0.064))  # -0.16 %
    assert effects["UK"].selection == pytest.approx(0.04)
    assert effects["JP"].selection == pytest.approx(-0.002)
    assert effects["US"].selection == pytest.approx(-0.008)
    assert effects["UK"].interaction == pytest.approx(0.0)
    assert effects["JP"].interaction == pytest.approx(-0.001)
    assert effects["US"].interaction == pytest.approx(0.002)
    assert sum(e.allocation for e in effects.values()) == pytest.approx(-0.012)
    assert sum(e.selection for e in effects.values()) == pytest.approx(0.030)
    assert sum(e.interaction for e in effects.values()) == pytest.approx(0.001)
    assert sum(e.total for e in effects.values()) == pytest.approx(0.083 - 0.064)


def test_carino_linking_of_two_quarters_worked_by_hand():
    # Q1: r = 8.3 %, b = 6.4 %; Q2: r = -3.4 %, b = -4.6 %; effects of Q2 (by hand): allocation
    # -0.5 %, selection 2.0 %, interaction -0.3 %. Compounded: R = 1.083 x 0.966 - 1 = 4.6178 %,
    # B = 1.064 x 0.954 - 1 = 1.5056 %, active 3.1122 %.
    # k1 = ln(1.083 / 1.064) / 0.019 = 0.931557, k2 = ln(0.966 / 0.954) / 0.012 = 1.041680,
    # k = ln(1.046178 / 1.015056) / 0.031122 = 0.970366.
    # allocation = (-0.012 k1 - 0.005 k2) / k = -1.688752 %
    # selection = (0.030 k1 + 0.020 k2) / k = 5.026999 %
    # interaction = (0.001 k1 - 0.003 k2) / k = -0.226047 %
    # UK: allocation (0 k1 - 0.0072 k2) / k = -0.772914 %, selection (0.04 k1 + 0.008 k2) / k
    # = 4.698814 %, interaction 0.006 k2 / k = 0.644095 %.
    effects = linked([BACON_Q1, BACON_Q2])

    assert sum(e.allocation for e in effects.values()) == pytest.approx(-0.01688752, abs=1e-8)
    assert sum(e.selection for e in effects.values()) == pytest.approx(0.05026999, abs=1e-8)
    assert sum(e.interaction for e in effects.values()) == pytest.approx(-0.00226047, abs=1e-8)
    assert effects["UK"].allocation == pytest.approx(-0.00772914, abs=1e-8)
    assert effects["UK"].selection == pytest.approx(0.04698814, abs=1e-8)
    assert effects["UK"].interaction == pytest.approx(0.00644095, abs=1e-8)
    assert sum(e.total for e in effects.values()) == pytest.approx(0.031122, abs=1e-10)


def test_period_weights_and_returns_come_from_values_and_flows():
    # equity: 600 at the start, 660 at the end (10 %); cash: 400 at the start with 100 flowing
    # out during the day (its end 300 + 100 out = 400, 0 %). Weights 0.6 / 0.4.
    segments = period_segments(
        {"equity": ClassPeriod(Decimal(600), Decimal(660)),
         "cash": ClassPeriod(Decimal(400), Decimal(400))},
        {"equity": 0.5, "cash": 0.5}, {"equity": 0.08, "cash": 0.0},
    )  # fmt: skip

    assert segments is not None
    assert segments["cash"] == Segment(0.4, 0.0, 0.5, 0.0)
    assert segments["equity"].weight == 0.6
    assert segments["equity"].return_ == pytest.approx(0.1)


def test_off_benchmark_class_is_all_allocation_and_unheld_class_has_no_selection():
    segments = period_segments(
        {"equity": ClassPeriod(Decimal(500), Decimal(550)),
         "real_estate": ClassPeriod(Decimal(500), Decimal(520))},
        {"equity": 0.6, "fixed_income": 0.4}, {"equity": 0.05, "fixed_income": 0.01},
    )  # fmt: skip
    assert segments is not None

    effects = brinson_fachler(segments)

    assert segments["real_estate"].benchmark_return == pytest.approx(0.04)
    assert effects["real_estate"].selection == effects["real_estate"].interaction == 0
    assert segments["fixed_income"].return_ == 0.01
    assert effects["fixed_income"].selection == effects["fixed_income"].interaction == 0
    active = (0.5 * 0.1 + 0.5 * 0.04) - (0.6 * 0.05 + 0.4 * 0.01)
    assert sum(e.total for e in effects.values()) == pytest.approx(active)


def test_a_period_that_starts_with_nothing_is_no_period():
    assert period_segments({"cash": ClassPeriod(Decimal(0), Decimal(0))}, {"cash": 1.0}, {}) is None


def test_index_carries_the_last_close_over_weekends_and_rates_compound_act_365():
    closes = {date(2024, 3, 1): Decimal(100), date(2024, 3, 4): Decimal(103)}  # Fri, Mon

    assert index_return(closes, date(2024, 3, 2), date(2024, 3, 4)) == pytest.approx(0.03)
    assert index_return(closes, date(2024, 3, 2), date(2024, 3, 3)) == 0
    assert rate_return(Decimal("0.05"), date(2024, 1, 1), date(2024, 12, 31)) == pytest.approx(
        1.05 ** (365 / 365) - 1
    )
    assert rate_return(Decimal("0.05"), date(2024, 1, 1), date(2024, 1, 2)) == pytest.approx(
        1.05 ** (1 / 365) - 1
    )
    with pytest.raises(MissingClose):
        index_return(closes, date(2024, 2, 29), date(2024, 3, 4))


def test_one_period_worked_by_hand():
    # Portfolio 60 % equity at 10 %, 40 % bonds at 2 %; benchmark 50/50 at 8 % and 3 %.
    # R = 0.5 x 0.08 + 0.5 x 0.03 = 0.055.
    effects = brinson_fachler({
        "equity": Segment(0.6, 0.10, 0.5, 0.08),
        "bonds": Segment(0.4, 0.02, 0.5, 0.03)})  # fmt: skip

    assert effects["equity"].allocation == pytest.approx(0.1 * (0.08 - 0.055))  # 0.0025
    assert effects["equity"].selection == pytest.approx(0.5 * 0.02)  # 0.01
    assert effects["equity"].interaction == pytest.approx(0.1 * 0.02)  # 0.002
    assert effects["bonds"].allocation == pytest.approx(-0.1 * (0.03 - 0.055))  # 0.0025
    assert effects["bonds"].selection == pytest.approx(0.5 * -0.01)
    assert effects["bonds"].interaction == pytest.approx(-0.1 * -0.01)
    active = (0.6 * 0.10 + 0.4 * 0.02) - 0.055
    assert sum(e.total for e in effects.values()) == pytest.approx(active)


weights = st.lists(st.floats(0.01, 1), min_size=2, max_size=5)
returns = st.floats(-0.3, 0.3)
five_returns = st.lists(returns, min_size=5, max_size=5)


def segments(draw_weights, bench_weights, rs, bs):
    n = min(len(draw_weights), len(bench_weights), len(rs), len(bs))
    w = [x / sum(draw_weights[:n]) for x in draw_weights[:n]]
    wb = [x / sum(bench_weights[:n]) for x in bench_weights[:n]]
    return {f"c{i}": Segment(w[i], rs[i], wb[i], bs[i]) for i in range(n)}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(weights, weights, five_returns, five_returns), min_size=1, max_size=6))
def test_linked_effects_sum_to_the_compounded_active_return(periods_raw):
    periods = [segments(*p) for p in periods_raw]
    growth_p = math.prod(1 + sum(s.weight * s.return_ for s in p.values()) for p in periods)
    growth_b = math.prod(
        1 + sum(s.benchmark_weight * s.benchmark_return for s in p.values()) for p in periods
    )

    effects = linked(periods)

    assert sum(e.total for e in effects.values()) == pytest.approx(growth_p - growth_b, abs=1e-12)


def test_a_total_loss_cannot_be_carino_linked_and_says_so():
    wiped = {"equity": Segment(1.0, -1.0, 1.0, 0.05)}

    with pytest.raises(NotLinkable):
        linked([wiped])
