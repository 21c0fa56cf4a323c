"""Rebalance plans worked by hand."""

from __future__ import annotations

from decimal import Decimal

from portfolio_service.domain.rebalance import Bands, Leg, Position, plan, tradable_targets

D = Decimal


def positions():
    # 10,000 in all: A 4,000 (40 x 100), B 1,000 (20 x 50), a building share 3,000, cash 2,000.
    return [
        Position("A", "equity", D(4000), D(100), True),
        Position("B", "equity", D(1000), D(50), True),
        Position("house", "real_estate", D(3000), None, False),
    ]


TARGETS = {"A": D("0.3"), "B": D("0.3"), "house": D("0.3")}  # cash 0.1


def test_fixed_holdings_keep_their_value_and_tradable_targets_share_the_rest():
    goal = tradable_targets(positions(), TARGETS, D(2000))

    # 7,000 tradable; A, B, cash weigh 0.3, 0.3, 0.1 of 0.7: A and B 3,000 each.
    assert goal == {"A": D(3000), "B": D(3000)}


def test_full_mode_sells_the_overweight_and_buys_the_underweight_in_whole_shares():
    legs = plan(positions(), TARGETS, D(2000), "full")

    assert legs == [
        Leg("A", "sell", D(10), D(100), D(1000)),
        Leg("B", "buy", D(40), D(50), D(2000)),
    ]


def test_cash_flow_mode_never_sells():
    legs = plan(positions(), TARGETS, D(2000), "cash_flow")

    # Cash target 1,000 of the 7,000: 1,000 spare, all to B (the only one below target).
    assert legs == [Leg("B", "buy", D(20), D(50), D(1000))]


def test_hybrid_leaves_holdings_inside_their_band_alone():
    near = [Position("A", "equity", D(3100), D(100), True),
            Position("B", "equity", D(1900), D(50), True)]  # fmt: skip
    targets = {"A": D("0.3"), "B": D("0.3")}  # of 7,000 (cash 2,000): 2,100 each

    legs = plan(near, targets, D(2000), "hybrid", bands=Bands(D("0.05"), D("0.25")))

    # A is 1,000 over (14 points, 48 %): sold back; B is 200 under (3 points, 9.5 %): in band,
    # but spare cash fills it.
    assert legs[0] == Leg("A", "sell", D(10), D(100), D(1000))
    assert [leg.key for leg in legs] == ["A", "B"]
    assert legs[1].side == "buy"


def test_minimum_trade_drops_small_legs():
    legs = plan(positions(), TARGETS, D(2000), "full", min_trade=D(1500))

    assert [leg.key for leg in legs] == ["B"]


def test_fractional_shares_buy_to_six_decimals():
    legs = plan([Position("A", "equity", D(0), D(300), True)], {"A": D(1)}, D(1000), "full",
                fractional=True)  # fmt: skip

    assert legs == [Leg("A", "buy", D("3.333333"), D(300), D("999.9999"))]


def test_a_class_target_is_shared_in_proportion_to_current_values():
    goal = tradable_targets(positions(), {"equity": D("0.6"), "house": D("0.3")}, D(2000))

    # 6,000 of equity split 4:1 like today's 4,000 and 1,000.
    assert goal == {"A": D(4800), "B": D(1200)}
