"""Money math: reservations cover every fill, cumulative rounding never loses a cent."""

from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from equity_service.domain.money import (
    Fees,
    affordable_qty,
    buy_reservation,
    cash_rounded,
    fill_cash,
    traded_value,
)

D = Decimal


def test_reservation_rounds_value_and_fee_up_to_the_cent():
    # 10.001 -> 10.01, and the fee 0.010001 -> 0.02
    assert buy_reservation(D("10.001"), Fees(D(10)), 2) == D("10.03")


def test_fill_cash_of_three_thirds_adds_up_to_the_rounded_whole():
    price = D("0.333")
    values = [traded_value(D(n), price) for n in range(4)]
    fills = [fill_cash(a, b, Fees(), 2).cash for a, b in pairwise(values)]

    assert sum(fills) == cash_rounded(D(3) * price, 2)
    assert fills == [D("0.33"), D("0.34"), D("0.33")]


def test_traded_value_is_exact_beyond_the_default_precision():
    exact = D(f"{999999999123456789 * 999999123456789}E-18")

    assert traded_value(D("999999999.123456789"), D("999999.123456789")) == exact


qty = st.integers(min_value=1, max_value=10**6).map(lambda n: D(n) / 1000)
price = st.integers(min_value=1, max_value=10**6).map(lambda n: D(n) / 100)
fee_bps = st.integers(min_value=0, max_value=100).map(D)


@given(st.lists(st.tuples(qty, price), min_size=1, max_size=20), fee_bps)
def test_cash_of_the_fills_is_never_above_the_reservation_at_the_limit(fills, bps):
    fees = Fees(bps)
    limit = max(p for _, p in fills)
    total_qty = sum((q for q, _ in fills), D(0))
    reserved = buy_reservation(traded_value(total_qty, limit), fees, 2)
    before, paid = D(0), D(0)
    for q, p in fills:
        after = traded_value(q, p, before)
        cash = fill_cash(before, after, fees, 2)
        paid += cash.cash + cash.fee
        before = after

    assert paid <= reserved
    assert paid == cash_rounded(before, 2) + cash_rounded(fees.on(before), 2)


@given(price, fee_bps, st.integers(min_value=1, max_value=10**7).map(lambda n: D(n) / 100))
def test_affordable_qty_fits_the_budget(p, bps, budget):
    fees = Fees(bps)
    step = D("0.000000001")

    qty_ = affordable_qty(budget, D(0), p, fees, 2, step)

    cash = fill_cash(D(0), traded_value(qty_, p), fees, 2)
    assert cash.cash + cash.fee <= budget
    more = fill_cash(D(0), traded_value(qty_ + D(1), p), fees, 2)
    assert more.cash + more.fee > budget - D("0.01") or qty_ == 0
