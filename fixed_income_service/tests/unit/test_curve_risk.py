"""G-spreads and key-rate durations against QuantLib on the same curve.

G-spread: QuantLib's yield at the quoted price less its curve's `forwardRate(settlement,
maturity, Actual365Fixed, Compounded, frequency)`. Key-rate durations: worked out here by hand
with QuantLib repricing: its curve under a `PiecewiseZeroSpreadedTermStructure` holding a
one-basis-point triangle at the key dates, its own z-spread at the quoted price, and
`BondFunctions.cleanPrice` + `accruedAmount` up and down.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import QuantLib as ql  # noqa: N813

from fixed_income_service.domain.analytics import Item, Quote, analyse
from fixed_income_service.domain.bonds import BondTerms, BondType
from fixed_income_service.domain.curve_risk import BUMP, KEY_TENOR_MONTHS
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.months import add_months
from fixed_income_service.tests import quantlib_oracle as oracle
from fixed_income_service.tests.unit.test_curves import REFERENCE, our_curve, quantlib_curve

SETTLEMENT = date(2030, 9, 3)
BONDS = [
    (BondTerms(BondType.FIXED, date(2029, 2, 15), date(2041, 2, 15), 0.045, 2,
               DayCount.ACT_ACT_ICMA, "US-GOVT"), 101.0),
    (BondTerms(BondType.FIXED, date(2028, 5, 31), date(2033, 5, 31), 0.0275, 1,
               DayCount.THIRTY_E_360, "TARGET"), 97.25),
    (BondTerms(BondType.FIXED, date(2030, 1, 10), date(2060, 1, 10), 0.052, 4,
               DayCount.ACT_365F, "UK"), 112.5),
    (BondTerms(BondType.ZERO, date(2025, 3, 1), date(2031, 3, 1), 0.0, 2,
               DayCount.ACT_360, "WEEKENDS"), 96.0),
    (BondTerms(BondType.FIXED, date(2030, 6, 14), date(2030, 12, 14), 0.03, 12,
               DayCount.THIRTY_360_US, "US-GOVT"), 99.9),
]  # fmt: skip


def ours(measures: list[str]) -> list[dict[str, Any]]:
    curve = our_curve()
    items = [Item(terms, Quote("clean_price", price), curve) for terms, price in BONDS]
    answers = analyse(items, SETTLEMENT, "true", measures)
    assert all(isinstance(a, dict) for a in answers), answers
    return answers  # type: ignore[return-value]


def test_g_spreads_agree_with_quantlib_to_1e_12():
    curve, when = quantlib_curve(), oracle.qdate(SETTLEMENT)
    for (terms, price), answer in zip(BONDS, ours(["yield", "g_spread"]), strict=True):
        frequency = oracle.FREQUENCIES[terms.frequency]
        bond = oracle.bond(terms)
        quantlib_yield = ql.BondFunctions.bondYield(
            bond, ql.BondPrice(price, ql.BondPrice.Clean), oracle.DAY_COUNTS[terms.day_count],
            ql.Compounded, frequency, when, 1e-15, 200,
        )  # fmt: skip
        benchmark = curve.forwardRate(
            when, oracle.qdate(terms.maturity_date), ql.Actual365Fixed(), ql.Compounded, frequency
        ).rate()
        assert answer["g_spread"] == pytest.approx(quantlib_yield - benchmark, abs=1e-12)


def quantlib_key_rate_durations(terms: BondTerms, price: float) -> list[float]:
    base = quantlib_curve()
    when = oracle.qdate(SETTLEMENT)
    bond = oracle.bond(terms)
    z = ql.BondFunctions.zSpread(
        bond, ql.BondPrice(price, ql.BondPrice.Clean), base, ql.Continuous, ql.Annual, when,
        1e-15, 200, 0.0,
    )  # fmt: skip
    key_dates = [oracle.qdate(add_months(REFERENCE, months)) for months in KEY_TENOR_MONTHS]

    def dirty(key: int, bump: float) -> float:
        quotes = [ql.SimpleQuote(bump if i == key else 0.0) for i in range(len(key_dates))]
        bumped = ql.PiecewiseZeroSpreadedTermStructure(
            ql.YieldTermStructureHandle(base), [ql.QuoteHandle(q) for q in quotes], key_dates
        )
        bumped.enableExtrapolation()
        clean = ql.BondFunctions.cleanPrice(
            bond, bumped, z, ql.Actual365Fixed(), ql.Continuous, ql.Annual, when
        )
        return float(clean + ql.BondFunctions.accruedAmount(bond, when))

    unbumped = dirty(0, 0.0)
    return [
        (dirty(key, -BUMP) - dirty(key, BUMP)) / (2.0 * unbumped * BUMP)
        for key in range(len(key_dates))
    ]


def test_key_rate_durations_agree_with_quantlib_repricing_on_bumped_curves():
    answers = ours(["modified_duration", "key_rate_durations"])
    for (terms, price), answer in zip(BONDS, answers, strict=True):
        expected = quantlib_key_rate_durations(terms, price)
        mine = [entry["duration"] for entry in answer["key_rate_durations"]]
        assert [e["tenor"] for e in answer["key_rate_durations"]][:3] == ["3M", "6M", "1Y"]
        assert mine == pytest.approx(expected, rel=1e-8, abs=1e-10)


def measured(terms: BondTerms, quote: Quote, measures: list[str]) -> dict[str, Any]:
    [answer] = analyse([Item(terms, quote, our_curve())], SETTLEMENT, "true", measures)
    assert isinstance(answer, dict), answer
    return answer


def test_key_rate_durations_add_up_to_the_duration_under_a_parallel_shift():
    # The triangles sum to one everywhere: together they are a parallel shift of the zero
    # rates, whose duration is the price's sensitivity to the z-spread itself.
    for terms, price in BONDS:
        wanted = ["dirty_price", "z_spread", "key_rate_durations"]
        answer = measured(terms, Quote("clean_price", price), wanted)
        z = answer["z_spread"]
        down, up = (
            measured(terms, Quote("z_spread", z + h), ["dirty_price"])["dirty_price"]
            for h in (-BUMP, BUMP)
        )
        parallel = (down - up) / (2.0 * answer["dirty_price"] * BUMP)
        total = sum(entry["duration"] for entry in answer["key_rate_durations"])
        # Equal up to the third-order cross terms of finite differences (bump² · duration²).
        assert total == pytest.approx(parallel, rel=1e-6)


def test_without_a_curve_there_is_no_g_spread_and_no_key_rate_durations():
    terms, price = BONDS[0]
    wanted = ["g_spread", "key_rate_durations"]
    [answer] = analyse([Item(terms, Quote("clean_price", price))], SETTLEMENT, "true", wanted)
    assert isinstance(answer, dict)
    assert answer["g_spread"] is None
    assert answer["key_rate_durations"] is None
