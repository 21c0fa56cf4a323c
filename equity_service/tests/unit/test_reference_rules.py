"""ISIN check digits, the tick grid, the seeded feed and the CSV format of bars."""

from decimal import Decimal

import pytest

from equity_service.domain.isin import is_valid_isin
from equity_service.domain.prices import gbm_path, on_tick, quote_around
from equity_service.market_data.csv_import import parse_bars

D = Decimal


@pytest.mark.parametrize("isin", ["US0378331005", "GB0002634946", "DE000BAY0017"])
def test_real_isins_are_valid(isin):
    assert is_valid_isin(isin)


@pytest.mark.parametrize("isin", ["US0378331006", "us0378331005", "US037833100", "XX!378331005"])
def test_wrong_check_digit_or_shape_is_refused(isin):
    assert not is_valid_isin(isin)


def test_same_seed_gives_the_same_path_on_the_tick():
    first = gbm_path(D("100.00"), D("0.01"), seed=7, steps=50)

    assert first == gbm_path(D("100.00"), D("0.01"), seed=7, steps=50)
    assert first != gbm_path(D("100.00"), D("0.01"), seed=8, steps=50)
    assert all(isinstance(p, Decimal) and on_tick(p, D("0.01")) and p > 0 for p in first)


def test_quote_has_at_least_one_tick_of_spread():
    bid, ask = quote_around(D("10.00"), D("0.01"), D(0))
    assert ask - bid == D("0.01")


CSV = """symbol,date,open,high,low,close,volume
ACME,2025-01-30,100.00,101.00,99.50,100.50,1000
ACME,2025-01-31,100.50,100.40,99.00,100.00,1000
NOPE,2025-01-31,1,1,1,1,1
ACME,31/01/2025,1,1,1,1,1
ACME,2025-02-03,100.001,101,99,100,5
"""


def test_every_bad_row_is_reported_with_its_line():
    rows, errors = parse_bars(CSV, {"ACME": D("0.01")})

    assert [r.line for r in rows] == [2]
    assert [line for line, _ in errors] == [3, 4, 5, 6]
    assert "bound" in errors[0][1]


def test_a_wrong_header_refuses_the_file():
    rows, errors = parse_bars("a,b\n1,2\n", {"ACME": D("0.01")})
    assert rows == []
    assert errors[0][0] == 1
