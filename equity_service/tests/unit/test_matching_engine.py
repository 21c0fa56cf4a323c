"""The matching engine: price-time priority, limits respected, quantity conserved."""

import uuid
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from equity_service.domain.matching import OrderBook, Resting, Taker

D = Decimal


def resting(side, price, qty, seq):
    return Resting(uuid.uuid4(), side, D(price), D(qty), seq)


def test_buy_takes_the_cheapest_ask_first_and_trades_at_its_price():
    cheap, dear = resting("sell", "100", "5", 2), resting("sell", "101", "5", 1)
    book = OrderBook.of([dear, cheap])

    matches = book.submit(Taker(uuid.uuid4(), "buy", D("101"), D("7")))

    assert [(m.resting_id, m.qty, m.price) for m in matches] == [
        (cheap.order_id, D(5), D(100)),
        (dear.order_id, D(2), D(101)),
    ]


def test_equal_prices_trade_in_time_order():
    late, early = resting("buy", "50", "1", 9), resting("buy", "50", "1", 3)
    book = OrderBook.of([late, early])

    [match] = book.submit(Taker(uuid.uuid4(), "sell", D("50"), D("1")))

    assert match.resting_id == early.order_id


def test_limit_stops_the_sweep():
    book = OrderBook.of([resting("sell", "100", "1", 1), resting("sell", "102", "1", 2)])

    matches = book.submit(Taker(uuid.uuid4(), "buy", D("101"), D("5")))

    assert sum(m.qty for m in matches) == 1


def test_partly_taken_order_keeps_its_place_with_the_rest():
    first = resting("sell", "100", "5", 1)
    book = OrderBook.of([first, resting("sell", "100", "5", 2)])
    book.submit(Taker(uuid.uuid4(), "buy", None, D("2")))

    best = book.best("sell")

    assert best is not None
    assert (best.order_id, best.remaining) == (first.order_id, D(3))


def test_cap_limits_what_a_buyer_can_pay_for():
    book = OrderBook.of([resting("sell", "10", "100", 1)])

    [match] = book.submit(
        Taker(uuid.uuid4(), "buy", None, D("100")), lambda p, q, spent: min(q, D(7))
    )

    assert match.qty == 7


prices = st.integers(min_value=1, max_value=50).map(D)
quantities = st.integers(min_value=1, max_value=20).map(D)
books = st.lists(st.tuples(prices, quantities), max_size=30)


@given(books, st.one_of(st.none(), prices), quantities)
def test_a_buy_never_pays_above_its_limit_and_fills_best_prices_first(asks, limit, qty):
    book = OrderBook.of(resting("sell", p, q, i) for i, (p, q) in enumerate(asks))

    matches = book.submit(Taker(uuid.uuid4(), "buy", limit, qty))

    traded = sum((m.qty for m in matches), D(0))
    assert traded <= qty
    assert all(limit is None or m.price <= limit for m in matches)
    assert [m.price for m in matches] == sorted(m.price for m in matches)
    eligible = sum((q for p, q in asks if limit is None or p <= limit), D(0))
    assert traded == min(qty, eligible)


@given(books, prices, quantities)
def test_quantity_is_conserved_between_book_and_matches(bids, limit, qty):
    orders = [resting("buy", p, q, i) for i, (p, q) in enumerate(bids)]
    book = OrderBook.of(orders)

    matches = book.submit(Taker(uuid.uuid4(), "sell", limit, qty))

    left = D(0)
    while (best := book.best("buy")) is not None:
        left += best.remaining
        book.submit(Taker(uuid.uuid4(), "sell", None, best.remaining))
    assert left + sum((m.qty for m in matches), D(0)) == sum((o.remaining for o in orders), D(0))
