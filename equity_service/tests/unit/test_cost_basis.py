"""FIFO and average cost against hand-worked figures; splits keep the cost."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from equity_service.domain.lots import Split, Trade, cost_basis

D = Decimal
# Buy 10 at 10.00, buy 10 at 12.00, sell 15 at 13.00 (fees 0).
HISTORY = [
    Trade("buy", D(10), D(100), D(0)),
    Trade("buy", D(10), D(120), D(0)),
    Trade("sell", D(15), D(195), D(0)),
]


def test_fifo_sells_the_oldest_lot_first():
    basis = cost_basis(HISTORY, "fifo")

    # cost of the 15 sold: 100 + 5 x 12 = 160, realised 195 - 160 = 35
    assert basis.realised == D(35)
    assert (basis.qty, basis.cost) == (D(5), D(60))
    assert basis.unrealised(D(13)) == D(5)


def test_average_cost_sells_at_the_mean_price():
    basis = cost_basis(HISTORY, "average")

    # average 11.00: cost of the 15 sold 165, realised 30
    assert basis.realised == D(30)
    assert (basis.qty, basis.cost) == (D(5), D(55))


def test_fees_add_to_cost_and_come_off_proceeds():
    basis = cost_basis(
        [Trade("buy", D(1), D(100), D(1)), Trade("sell", D(1), D(110), D(1))], "fifo"
    )

    assert basis.realised == D(8)


def test_three_for_one_split_triples_shares_and_keeps_the_cost():
    basis = cost_basis([*HISTORY[:2], Split(D(3), D(1))], "fifo")

    assert [(lot.qty, lot.cost) for lot in basis.lots] == [(D(30), D(100)), (D(30), D(120))]


trades = st.lists(st.tuples(st.integers(1, 50), st.integers(1, 500)), min_size=1, max_size=15)


@given(trades, st.sampled_from(["fifo", "average"]))
def test_selling_everything_realises_proceeds_minus_total_cost(buys, method):
    history = [Trade("buy", D(q), D(c), D(0)) for q, c in buys]
    total_qty = sum((D(q) for q, _ in buys), D(0))
    history.append(Trade("sell", total_qty, D(1000), D(0)))

    basis = cost_basis(history, method)

    assert basis.qty == 0
    assert abs(basis.realised - (D(1000) - sum(D(c) for _, c in buys))) < D("1e-40")
