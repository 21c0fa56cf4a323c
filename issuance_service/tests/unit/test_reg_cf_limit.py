"""The Reg CF 12-month limit on worked cases at and around each boundary.

Expected figures are worked by hand from 17 CFR 227.100(a)(2) (2021 amounts), not taken from
the code: floor $2,500; 5% when income or net worth is below $124,000; 10% of the greater,
capped at $124,000, when both are at least $124,000; no limit for accredited investors.
"""

from decimal import Decimal

import pytest

from issuance_service.domain.reg_cf import twelve_month_limit

D = Decimal

# income, net worth, limit, rule  (worked by hand)
CASES = [
    # floor: 5% of the greater is below $2,500
    ("30000", "40000", "2500", "floor"),  # 5% of 40,000 = 2,000 < 2,500
    ("0", "0", "2500", "floor"),
    ("49999.99", "20000", "2500", "floor"),  # 5% = 2,499.9995 → 2,499.99 < 2,500
    # the floor boundary: 5% of 50,000 is exactly 2,500
    ("50000", "10000", "2500", "floor"),
    ("50000.20", "10000", "2500.01", "five_percent"),  # 2,500.01
    ("80000", "50000", "4000", "five_percent"),  # 5% of 80,000
    # only one of the two below the threshold → still 5% of the greater
    ("150000", "100000", "7500", "five_percent"),
    ("123999.99", "900000", "45000", "five_percent"),  # 5% of 900,000
    ("900000", "123999.99", "45000", "five_percent"),
    # the threshold: both at least $124,000 → 10%
    ("124000", "124000", "12400", "ten_percent"),
    ("200000", "900000", "90000", "ten_percent"),
    # the cap: 10% of 1,240,000 is exactly the cap; beyond it, capped
    ("124000", "1240000", "124000", "ten_percent"),
    ("1240000.10", "124000", "124000", "cap"),
    ("2000000", "5000000", "124000", "cap"),
]


@pytest.mark.parametrize(("income", "net_worth", "limit", "rule"), CASES)
def test_limit_of_a_non_accredited_investor(income, net_worth, limit, rule):
    result = twelve_month_limit(
        accredited=False, annual_income=D(income), net_worth=D(net_worth), invested_12m=D(0)
    )
    assert (result.limit, result.rule) == (D(limit), rule)
    assert result.remaining == D(limit)


def test_sub_cent_limit_is_rounded_down():
    result = twelve_month_limit(
        accredited=False, annual_income=D("60000.10"), net_worth=D(0), invested_12m=D(0)
    )
    assert result.limit == D("3000.00")  # 5% = 3,000.005 → 3,000.00, never overstated


def test_accredited_investors_have_no_limit():
    result = twelve_month_limit(
        accredited=True, annual_income=D(0), net_worth=D(0), invested_12m=D("500000")
    )
    assert (result.limit, result.remaining, result.rule) == (None, None, "accredited")
    assert "no 12-month limit" in result.explanation


def test_what_was_invested_in_12_months_is_deducted():
    result = twelve_month_limit(
        accredited=False, annual_income=D("80000"), net_worth=D("50000"), invested_12m=D("3000")
    )
    assert (result.limit, result.used, result.remaining) == (D(4000), D(3000), D(1000))


def test_remaining_never_goes_negative():
    result = twelve_month_limit(
        accredited=False, annual_income=D(0), net_worth=D(0), invested_12m=D("3000")
    )
    assert result.remaining == D(0)


def test_the_explanation_names_the_rule_and_the_figures():
    result = twelve_month_limit(
        accredited=False, annual_income=D("150000"), net_worth=D("100000"), invested_12m=D(500)
    )
    assert result.explanation == (
        "income or net worth below $124,000.00: the greater of $2,500.00 and 5% of income "
        "$150,000.00 ($7,500.00) = $7,500.00; invested in the last 12 months $500.00, "
        "left $7,000.00"
    )
    capped = twelve_month_limit(
        accredited=False, annual_income=D("3000000"), net_worth=D("200000"), invested_12m=D(0)
    )
    assert "capped at $124,000.00 = $124,000.00" in capped.explanation
