"""Risk measures against empyrical-reloaded (and scipy for the normal tail)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import empyrical
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from portfolio_service.domain.risk import (
    annual_volatility,
    beta,
    historical_tail,
    maximum_drawdown,
    parametric_tail,
    sharpe_ratio,
    sortino_ratio,
)

daily = st.floats(min_value=-0.2, max_value=0.2, allow_nan=False, allow_infinity=False)
series = st.lists(daily, min_size=3, max_size=120).filter(lambda xs: np.std(xs) > 1e-6)


@settings(max_examples=80, deadline=None)
@given(series)
def test_volatility_sharpe_and_sortino_match_empyrical(returns):
    array = np.array(returns)

    assert annual_volatility(returns) == pytest.approx(empyrical.annual_volatility(array))
    assert sharpe_ratio(returns) == pytest.approx(empyrical.sharpe_ratio(array))
    expected_sortino = empyrical.sortino_ratio(array)
    if math.isinf(expected_sortino):
        assert math.isinf(sortino_ratio(returns))
    else:
        assert sortino_ratio(returns) == pytest.approx(expected_sortino)


@settings(max_examples=80, deadline=None)
@given(series, st.sampled_from([0.9, 0.95, 0.99]))
def test_historical_var_and_es_match_empyrical(returns, confidence):
    tail = historical_tail(returns, confidence)

    assert tail.value_at_risk == pytest.approx(
        -empyrical.value_at_risk(np.array(returns), cutoff=1 - confidence)
    )
    assert tail.expected_shortfall == pytest.approx(
        -empyrical.conditional_value_at_risk(np.array(returns), cutoff=1 - confidence)
    )


@settings(max_examples=80, deadline=None)
@given(series)
def test_maximum_drawdown_matches_empyrical(returns):
    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(len(returns))]

    assert maximum_drawdown(days, returns).depth == pytest.approx(
        empyrical.max_drawdown(np.array(returns)), abs=1e-12
    )


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(daily, daily), min_size=3, max_size=120).filter(
    lambda xs: np.std([b for _, b in xs]) > 1e-6))  # fmt: skip
def test_beta_matches_empyrical(pairs):
    returns, bench = [a for a, _ in pairs], [b for _, b in pairs]

    assert beta(returns, bench) == pytest.approx(
        empyrical.beta(np.array(returns), np.array(bench)), rel=1e-9, abs=1e-9
    )


def test_parametric_tail_is_the_normal_quantile_and_tail_mean():
    returns = [0.01, -0.02, 0.005, 0.0, -0.01, 0.015, -0.03, 0.02]
    mu, sigma = np.mean(returns), np.std(returns, ddof=1)

    tail = parametric_tail(returns, 0.95, horizon_days=10)

    z = stats.norm.ppf(0.05)
    assert tail.value_at_risk == pytest.approx(-(mu + sigma * z) * math.sqrt(10))
    assert tail.expected_shortfall == pytest.approx(
        -(mu - sigma * stats.norm.pdf(z) / 0.05) * math.sqrt(10)
    )


def test_drawdown_dates_and_recovery_worked_by_hand():
    days = [date(2024, 1, d) for d in range(1, 7)]
    # wealth: 1.10, 0.99, 0.891, 0.9801, 1.1761, 1.0585 -> peak 01-01, trough 01-03,
    # back above 1.10 on 01-05; the fall is 0.891 / 1.10 - 1 = -19 %.
    returns = [0.10, -0.10, -0.10, 0.10, 0.20, -0.10]

    drawdown = maximum_drawdown(days, returns)

    assert drawdown.depth == pytest.approx(-0.19)
    assert (drawdown.peak, drawdown.trough, drawdown.recovery) == (days[0], days[2], days[4])


def test_a_drawdown_not_yet_recovered_has_no_recovery_date():
    days = [date(2024, 1, d) for d in range(1, 4)]

    drawdown = maximum_drawdown(days, [-0.05, 0.01, 0.01])

    assert drawdown.peak is None  # the start of the period
    assert drawdown.trough == days[0]
    assert drawdown.recovery is None
