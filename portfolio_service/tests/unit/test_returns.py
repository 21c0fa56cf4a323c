"""Returns against the issue's hand-worked fixture and pyxirr."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import pyxirr
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from portfolio_service.domain.returns import (
    DayValue,
    NoReturn,
    modified_dietz,
    time_weighted_return,
    xirr,
)

# The issue's fixture: 1,000 invested on 2024-01-01, worth 1,100 on 06-30, 1,000 deposited on
# 07-01, worth 1,900 on 12-31.
START, MID, DEPOSIT, END = date(2024, 1, 1), date(2024, 6, 30), date(2024, 7, 1), date(2024, 12, 31)


def test_twr_of_the_issue_fixture_is_minus_0_4762_percent():
    points = [
        DayValue(START, Decimal(1000), Decimal(1000)),
        DayValue(MID, Decimal(1100)),
        DayValue(END, Decimal(1900), Decimal(0)),
    ]
    # The deposit of 07-01 arrives at the start of its day: it is linked with the day it lands.
    points.insert(2, DayValue(DEPOSIT, Decimal(2100), Decimal(1000)))

    twr = time_weighted_return(points)

    # By hand: 1100/1000 x 1900/2100 - 1 = -0.0047619...
    assert round(twr * 100, 4) == Decimal("-0.4762")


def test_modified_dietz_of_the_issue_fixture_is_minus_6_661_percent():
    md = modified_dietz(
        START, Decimal(0), END, Decimal(1900),
        [(START, Decimal(1000)), (DEPOSIT, Decimal(1000))],
    )  # fmt: skip

    # By hand: T = 365 days, the deposit 182 days in: -100 / (1000 + 183/365 x 1000).
    assert round(md * 100, 3) == Decimal("-6.661")


def test_xirr_of_the_issue_fixture_is_minus_6_623_percent_like_pyxirr():
    flows = [(START, Decimal(-1000)), (DEPOSIT, Decimal(-1000)), (END, Decimal(1900))]

    rate = xirr(flows)

    assert round(rate * 100, 3) == -6.623
    assert rate == pytest.approx(pyxirr.xirr([d for d, _ in flows], [float(a) for _, a in flows]))


def test_an_outflow_leaves_at_the_end_of_its_day():
    # 1,000 grows to 1,100 during a day at whose end 100 is taken out: a 10 % day.
    points = [DayValue(START, Decimal(1000), Decimal(1000)),
              DayValue(START + timedelta(days=1), Decimal(1000), Decimal(-100))]  # fmt: skip

    assert time_weighted_return(points) == Decimal("0.1")


def test_flows_of_one_sign_have_no_rate():
    with pytest.raises(NoReturn, match="no rate exists"):
        xirr([(START, Decimal(-1000)), (END, Decimal(-5))])


def test_no_capital_has_no_dietz_return():
    with pytest.raises(NoReturn):
        modified_dietz(START, Decimal(0), END, Decimal(0), [])


flow_amounts = st.decimals(min_value=1, max_value=100_000, places=2)


@settings(max_examples=60, deadline=None)
@given(
    invested=flow_amounts,
    later=st.lists(st.tuples(st.integers(1, 700), flow_amounts), max_size=5),
    final=st.decimals(min_value=1, max_value=400_000, places=2),
)
def test_xirr_matches_pyxirr_whenever_a_rate_exists(invested, later, final):
    flows = [(START, -invested)]
    flows += [(START + timedelta(days=d), -amount) for d, amount in later]
    flows.append((START + timedelta(days=730), final))
    expected = pyxirr.xirr([d for d, _ in flows], [float(a) for _, a in flows])
    assume(expected is not None)  # flows whose only roots sit at -100 % are left to NoReturn

    assert xirr(flows) == pytest.approx(expected, rel=1e-6, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.decimals(min_value=Decimal("0.5"), max_value=Decimal("1.5"), places=4),
                min_size=1, max_size=30))  # fmt: skip
def test_twr_without_flows_is_the_value_ratio(growths):
    value = Decimal(1000)
    points = [DayValue(START, value, value)]
    for n, g in enumerate(growths, start=1):
        value = value * g
        points.append(DayValue(START + timedelta(days=n), value))

    assert time_weighted_return(points) == pytest.approx(value / 1000 - 1, rel=Decimal("1e-20"))
