"""Split arithmetic: quantities exact or refused, prices on the tick, reservations still
covering qty x limit."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from equity_service.domain.splits import InexactSplit, Ratio

D = Decimal
TICK = D("0.01")


def test_three_for_one_triples_quantities_and_thirds_prices():
    ratio = Ratio(D(3), D(1))

    assert ratio.shares(D("10.5")) == D("31.5")
    assert ratio.price(D("100.00"), TICK, "buy") == D("33.33")
    assert ratio.price(D("100.00"), TICK, "sell") == D("33.34")


def test_reverse_split_that_leaves_a_fraction_below_a_nano_share_is_refused():
    with pytest.raises(InexactSplit):
        Ratio(D(1), D(3)).shares(D("0.000000001"))


@given(
    st.integers(1, 10**6).map(lambda n: D(n) / 1000),
    st.integers(2, 10),
    st.integers(1, 10**6).map(lambda n: D(n) / 100),
)
def test_a_split_buy_still_fits_its_reservation(qty, to, limit):
    ratio = Ratio(D(to), D(1))

    new_qty, new_limit = ratio.shares(qty), ratio.price(limit, TICK, "buy")

    assert new_qty == qty * to
    assert new_qty * new_limit <= qty * limit or new_limit == TICK
    assert new_limit % TICK == 0
