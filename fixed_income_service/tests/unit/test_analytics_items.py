"""A batch answers every item on its own: bad items are refusals, the others still priced."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest

from fixed_income_service.domain.analytics import MEASURES, Item, Quote, analyse
from fixed_income_service.domain.bonds import BondTerms, BondType, Repayment
from fixed_income_service.domain.calendars import BusinessDayConvention, holiday_set
from fixed_income_service.domain.cashflows import bond_cashflows
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.refusals import Refusal

SETTLEMENT = date(2030, 3, 18)
NOTE = BondTerms(BondType.FIXED, date(2025, 5, 15), date(2035, 5, 15), 0.0425, 2,
                 DayCount.ACT_ACT_ICMA, "US-GOVT")  # fmt: skip


def one(terms, kind, value, measures=MEASURES) -> Any:
    answer: Any
    [answer] = analyse([Item(terms, Quote(kind, value))], SETTLEMENT, "true", measures)
    return answer


def test_a_price_quote_round_trips_through_its_yield():
    priced = one(NOTE, "yield", 0.05)
    back = one(NOTE, "clean_price", priced["clean_price"])
    assert back["yield"] == pytest.approx(0.05, abs=1e-13)
    assert back["dirty_price"] == pytest.approx(priced["dirty_price"], abs=1e-11)
    assert priced["accrued_days"] == 123  # 15 Nov 2029 to 18 Mar 2030
    assert priced["current_yield"] == pytest.approx(4.25 / priced["clean_price"])


@pytest.mark.parametrize(
    ("kind", "value", "problem"),
    [
        ("yield", math.nan, "invalid-yield"),
        ("yield", math.inf, "invalid-yield"),
        ("yield", -2.5, "invalid-yield"),
        ("yield", 50.0, "invalid-yield"),
        ("clean_price", -1.0, "invalid-price"),
        ("clean_price", 0.0, "invalid-price"),
        ("dirty_price", 1e9, "invalid-price"),
    ],
)
def test_absurd_quotes_are_refused_with_a_stable_kind(kind, value, problem):
    answer = one(NOTE, kind, value)
    assert isinstance(answer, Refusal)
    assert answer.kind == problem


def test_a_bad_item_leaves_the_others_priced_in_order():
    matured = BondTerms(BondType.FIXED, date(2020, 1, 10), date(2029, 1, 10), 0.03, 2,
                        DayCount.THIRTY_360_US, "US-GOVT")  # fmt: skip
    items: list[Any] = [
        Item(NOTE, Quote("yield", 0.04)),
        Item(matured, Quote("yield", 0.04)),
        Refusal("unknown-bond", "no such bond"),
        Item(NOTE, Quote("yield", 0.06)),
    ]
    answers: list[Any] = analyse(items, SETTLEMENT, "street", ["dirty_price"])
    assert answers[0]["dirty_price"] > answers[3]["dirty_price"]
    assert answers[1].kind == "maturity-before-settlement"
    assert answers[2].kind == "unknown-bond"


def test_a_price_below_what_the_bond_pays_at_once_has_no_yield():
    # Settled on Sunday 17 Mar after the Saturday maturity, paid on Monday: in the street
    # convention the last coupon and redemption fall at time zero, so no yield makes the bond
    # worth less than them.
    following = BusinessDayConvention.FOLLOWING
    short = BondTerms(BondType.FIXED, date(2029, 3, 31), date(2030, 3, 16), 0.05, 2,
                      DayCount.THIRTY_360_US, "WEEKENDS", following)  # fmt: skip
    sunday = date(2030, 3, 17)
    answer: Any
    [answer] = analyse([Item(short, Quote("dirty_price", 50.0))], sunday, "street", ["yield"])
    assert isinstance(answer, Refusal)
    assert answer.kind == "no-yield"


def test_settlement_before_issue_is_refused():
    assert one(NOTE, "yield", 0.04, ["yield"]) != {}
    early: list[Any] = analyse(
        [Item(NOTE, Quote("yield", 0.04))], date(2024, 1, 1), "true", ["yield"]
    )
    assert early[0].kind == "settlement-before-issue"


def test_ex_coupon_accrued_is_negative_and_the_coupon_is_not_bought():
    gilt = BondTerms(BondType.FIXED, date(2024, 3, 7), date(2034, 3, 7), 0.04, 2,
                     DayCount.ACT_ACT_ICMA, "UK", ex_coupon_days=7)  # fmt: skip
    answer: Any
    [answer] = analyse([Item(gilt, Quote("yield", 0.04))], date(2030, 3, 4), "true", MEASURES)
    assert answer["accrued_interest"] < 0
    assert answer["accrued_days"] == -3
    assert answer["cashflows"][0]["ex_coupon"] is True
    assert answer["cashflows"][0]["amount"] == "0"


def test_amortizing_bond_prices_per_100_outstanding():
    amortizing = BondTerms(
        BondType.AMORTIZING, date(2025, 3, 18), date(2033, 3, 18), 0.05, 1,
        DayCount.THIRTY_E_360, "TARGET",
        amortization=(Repayment(date(2026, 3, 18), 50.0),),
    )  # fmt: skip
    # At its coupon rate, on a coupon date, a bond is worth par whatever is outstanding.
    answer = one(amortizing, "yield", 0.05)
    assert answer["clean_price"] == pytest.approx(100.0, abs=1e-10)
    principal = [f for f in answer["cashflows"] if f["kind"] == "principal"]
    assert [p["amount"] for p in principal] == ["100"]


def test_amortization_must_fall_on_coupon_dates():
    bad = BondTerms(BondType.AMORTIZING, date(2025, 3, 18), date(2033, 3, 18), 0.05, 1,
                    DayCount.THIRTY_E_360, "TARGET",
                    amortization=(Repayment(date(2026, 4, 1), 10.0),))  # fmt: skip
    with pytest.raises(Refusal) as refused:
        bond_cashflows(bad)
    assert refused.value.kind == "invalid-amortization"


def test_payment_dates_skip_the_calendars_holidays():
    # 25 Dec 2031 is a Thursday: TARGET is closed, so the coupon is paid on the 26th... also
    # closed (Boxing Day): Monday 29 Dec.
    assert date(2031, 12, 26) in holiday_set("TARGET")
    bond = BondTerms(BondType.FIXED, date(2030, 12, 25), date(2032, 12, 25), 0.03, 1,
                     DayCount.ACT_ACT_ICMA, "TARGET")  # fmt: skip
    assert bond_cashflows(bond)[0].payment_date == date(2031, 12, 29)


def test_bonds_newton_leaves_unconverged_are_bisected_to_the_same_yield(monkeypatch):
    from fixed_income_service.domain import pricing

    items = [Item(NOTE, Quote("clean_price", price)) for price in (60.0, 95.0, 100.0, 140.0)]
    newton: list[Any] = analyse(items, SETTLEMENT, "true", ["yield"])
    monkeypatch.setattr(pricing, "NEWTON_STEPS", 1)
    bisected: list[Any] = analyse(items, SETTLEMENT, "true", ["yield"])
    for by_newton, by_bisection in zip(newton, bisected, strict=True):
        assert by_bisection["yield"] == pytest.approx(by_newton["yield"], abs=1e-13)
