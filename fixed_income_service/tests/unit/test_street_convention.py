"""The `street` convention against published worked examples.

Source: Microsoft's documentation of the Excel bond functions, whose worked examples use the
street convention (regular periods count exactly 1/frequency, the first period its day-count
share, SIFMA's Standard Securities Calculation Methods formula):

- PRICE: settlement 15 Feb 2008, maturity 15 Nov 2017, coupon 5.75 %, yield 6.5 %,
  semi-annual, basis 0 (US 30/360) → 94.63436162
  (support.microsoft.com, "PRICE function").
- YIELD: settlement 15 Feb 2008, maturity 15 Nov 2016, coupon 5.75 %, price 95.04287,
  semi-annual, basis 0 → 6.5 % (support.microsoft.com, "YIELD function").
- DURATION: settlement 1 Jul 2018, maturity 1 Jan 2048, coupon 8 %, yield 9 %, semi-annual,
  basis 1 (actual/actual) → 10.9191453 (support.microsoft.com, "DURATION function").
- MDURATION: settlement 1 Jan 2008, maturity 1 Jan 2016, coupon 8 %, yield 9 %, semi-annual,
  basis 1 → 5.73567 (support.microsoft.com, "MDURATION function").
- With one coupon period or less to redemption the same pages publish the simple-interest
  formulas (SIFMA's too): PRICE = (100 + 100·rate/f) / (1 + (DSR/E)·(yld/f)) - (A/E)·100·rate/f
  and YIELD = ((100 + 100·rate/f) - (price + (A/E)·100·rate/f)) / (price + (A/E)·100·rate/f)
  * f·E/DSR.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.book import bond_arrays, build_book
from fixed_income_service.domain.calendars import BusinessDayConvention
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.pricing import price_and_risk, solve_yields
from fixed_income_service.domain.settled import settle

UNADJUSTED = BusinessDayConvention.UNADJUSTED
FOLLOWING = BusinessDayConvention.FOLLOWING


def settled_bond(issue, maturity, coupon, day_count, settlement):
    # Excel knows no issue date or holidays: a regular schedule, payments on the coupon dates.
    terms = BondTerms(BondType.FIXED, issue, maturity, coupon, 2, day_count, "WEEKENDS", UNADJUSTED)
    return settle(build_book([bond_arrays(terms)]), settlement.toordinal())


def test_excel_price_example_30_360():
    book = settled_bond(date(2007, 11, 15), date(2017, 11, 15), 0.0575, DayCount.THIRTY_360_US,
                        date(2008, 2, 15))  # fmt: skip
    risk = price_and_risk(book, np.array([0.065]), "street")
    assert risk.dirty_price[0] - book.accrued[0] == pytest.approx(94.63436162, abs=5e-9)


def test_excel_yield_example_30_360():
    book = settled_bond(date(2007, 11, 15), date(2016, 11, 15), 0.0575, DayCount.THIRTY_360_US,
                        date(2008, 2, 15))  # fmt: skip
    yields, exists = solve_yields(book, np.array([95.04287]) + book.accrued, "street")
    assert exists[0]
    # The example's price is rounded to 5 decimals, so its yield is 6.5 % to about 1e-7.
    assert yields[0] == pytest.approx(0.065, abs=2e-7)


def test_excel_duration_example_actual_actual():
    book = settled_bond(date(2018, 1, 1), date(2048, 1, 1), 0.08, DayCount.ACT_ACT_ICMA,
                        date(2018, 7, 1))  # fmt: skip
    risk = price_and_risk(book, np.array([0.09]), "street")
    assert risk.macaulay_duration[0] == pytest.approx(10.9191453, abs=5e-8)


def test_excel_modified_duration_example_actual_actual():
    book = settled_bond(date(2007, 7, 1), date(2016, 1, 1), 0.08, DayCount.ACT_ACT_ICMA,
                        date(2008, 1, 1))  # fmt: skip
    risk = price_and_risk(book, np.array([0.09]), "street")
    assert risk.modified_duration[0] == pytest.approx(5.73567, abs=5e-6)


def test_street_and_true_part_when_payments_move_off_the_coupon_date():
    # 1 Jul 2018 is a Sunday: `true` discounts to Monday's payment, `street` to the date itself.
    terms = BondTerms(BondType.FIXED, date(2017, 7, 1), date(2020, 7, 1), 0.05, 2,
                      DayCount.ACT_ACT_ICMA, "WEEKENDS", FOLLOWING)  # fmt: skip
    book = settle(build_book([bond_arrays(terms)]), date(2018, 3, 1).toordinal())
    true = price_and_risk(book, np.array([0.05]), "true").dirty_price[0]
    street = price_and_risk(book, np.array([0.05]), "street").dirty_price[0]
    assert true < street
    assert street - true < 0.01


def test_excel_price_and_yield_in_the_last_period_use_simple_interest():
    # Settled 15 Aug 2017, three months before the 15 Nov 2017 maturity: A = 90, DSR = 90,
    # E = 180 (30/360), the same 5.75 % coupon and 6.5 % yield as the PRICE example.
    book = settled_bond(date(2007, 11, 15), date(2017, 11, 15), 0.0575, DayCount.THIRTY_360_US,
                        date(2017, 8, 15))  # fmt: skip
    coupon, a_over_e, dsr_over_e = 100 * 0.0575 / 2, 90 / 180, 90 / 180
    published = (100 + coupon) / (1 + dsr_over_e * 0.065 / 2) - a_over_e * coupon
    risk = price_and_risk(book, np.array([0.065]), "street")
    assert risk.dirty_price[0] - book.accrued[0] == pytest.approx(published, abs=1e-11)
    price = 99.5
    dirty = price + a_over_e * coupon
    published_yield = ((100 + coupon) - dirty) / dirty * (2 * 180 / 90)
    yields, exists = solve_yields(book, np.array([dirty]), "street")
    assert exists[0]
    assert yields[0] == pytest.approx(published_yield, abs=1e-13)
    # QuantLib's `true` convention compounds instead: the two conventions part here.
    true = price_and_risk(book, np.array([0.065]), "true").dirty_price[0]
    assert abs(true - risk.dirty_price[0]) > 1e-4
