"""Bond money, hand-worked: a trade's cash at the dirty price (half-even to the cent), payouts
to holders, record dates, and what an amortizing bond owes by a date."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from fixed_income_service.domain.bonds import BondTerms, BondType, Repayment
from fixed_income_service.domain.calendars import BusinessDayConvention
from fixed_income_service.domain.cashflows import bond_cashflows
from fixed_income_service.domain.daycounts import DayCount
from fixed_income_service.domain.money import (
    face_asset,
    outstanding_at,
    payout,
    record_date,
    trade_cash,
)
from fixed_income_service.domain.payments import due_payments
from fixed_income_service.domain.trading import price_at

UNADJUSTED = BusinessDayConvention.UNADJUSTED
AMORTIZING = BondTerms(
    BondType.AMORTIZING, date(2030, 1, 15), date(2032, 1, 15), 0.04, 2, DayCount.THIRTY_360_US,
    "WEEKENDS", UNADJUSTED, amortization=(Repayment(date(2031, 1, 15), 25.0),),
)  # fmt: skip


def test_a_trades_cash_is_face_times_outstanding_times_dirty_rounded_half_even():
    # 1.00 face at 100.125: 1.00125 exactly, a tie at the cent: half-even keeps 1.00.
    assert trade_cash(Decimal("1.00"), Decimal(100), Decimal("100.125"), 2) == Decimal("1.00")
    assert trade_cash(Decimal("1.00"), Decimal(100), Decimal("100.375"), 2) == Decimal("1.00")
    assert trade_cash(Decimal("3.00"), Decimal(100), Decimal("100.375"), 2) == Decimal("3.01")
    # A quarter repaid: 10,000 original face is 7,500 outstanding, at 99.5 dirty 7,462.50.
    assert trade_cash(Decimal("10000"), Decimal(75), Decimal("99.5"), 2) == Decimal("7462.50")


def test_a_payout_is_face_times_amount_per_100_rounded_half_even():
    assert payout(Decimal("10000.00"), Decimal("2.5"), 2) == Decimal("250.00")
    assert payout(Decimal("333.00"), Decimal("1.5"), 2) == Decimal("5.00")  # 4.995 → 5.00
    assert payout(Decimal("100.50"), Decimal("2.5"), 2) == Decimal("2.51")  # 2.5125 → 2.51


def test_the_record_date_is_the_day_before_the_ex_date_or_the_payment_date():
    plain = bond_cashflows(AMORTIZING)[0]
    assert record_date(plain) == date(2030, 7, 14)
    with_ex = BondTerms(BondType.FIXED, date(2030, 1, 15), date(2032, 1, 15), 0.04, 2,
                        DayCount.THIRTY_360_US, "WEEKENDS", UNADJUSTED,
                        ex_coupon_days=5)  # fmt: skip
    # 15 Jul 2030 is a Monday: five business days before is Monday 8 Jul.
    assert record_date(bond_cashflows(with_ex)[0]) == date(2030, 7, 7)


def test_an_amortizing_bond_owes_coupons_a_partial_and_a_final_redemption_in_order():
    due = due_payments(AMORTIZING, date(2032, 1, 15))
    kinds = [(d.payment_date, d.kind, d.amount_per_100, d.final) for d in due]
    assert kinds == [
        (date(2030, 7, 15), "coupon", Decimal("2"), False),
        (date(2031, 1, 15), "coupon", Decimal("2"), False),
        (date(2031, 1, 15), "redemption", Decimal("25"), False),
        (date(2031, 7, 15), "coupon", Decimal("1.5"), False),  # 4 % a year on 75 outstanding
        (date(2032, 1, 15), "coupon", Decimal("1.5"), False),
        (date(2032, 1, 15), "redemption", Decimal("75"), True),
    ]
    assert due_payments(AMORTIZING, date(2030, 7, 14)) == []


def test_an_amortizing_bond_is_priced_per_100_outstanding_after_a_repayment():
    settlement = date(2031, 4, 15)  # three months into the 75-outstanding period
    assert outstanding_at(bond_cashflows(AMORTIZING), settlement) == Decimal(75)
    price = price_at(AMORTIZING, Decimal("99"), settlement)
    # 30/360: 90 days of 180 at 4 % a year: accrued 1 per 100 outstanding.
    assert price.accrued == Decimal(1)
    assert price.dirty == Decimal(100)


def test_the_face_asset_is_the_isin_or_the_bonds_id():
    bond_id = uuid.UUID("0193a1b2-0000-7000-8000-000000000042")
    assert face_asset(bond_id, "US91282CMU24") == "BOND:US91282CMU24/2"
    assert face_asset(bond_id, None) == "BOND:0193A1B20000700080000000000/2"  # 27 hex digits
