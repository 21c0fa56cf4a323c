"""Brinson-Fachler worked by hand, and the effects summing to the active return."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio_service.domain.attribution import Segment, brinson_fachler, linked


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
