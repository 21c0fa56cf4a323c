"""Sleeve series worked by hand: a purchase is a flow between sleeves, not a return."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portfolio_service.domain.returns import DayValue, time_weighted_return
from portfolio_service.domain.sleeves import Line, sleeve_series

D = Decimal

DAY1, DAY2 = date(2024, 1, 2), date(2024, 1, 3)


def by_group(_: str, line: Line) -> str:
    return line.group


def test_buying_shares_moves_value_between_sleeves_without_return():
    opening = {"cash": Line("cash", D(1000), D(1), D(1000))}
    days = [
        # Day 1: 5 shares bought at 100 with cash; the share price is still 100.
        (DAY1, {"cash": Line("cash", D(500), D(1), D(500)),
                "acme": Line("equity", D(5), D(100), D(500))}),
        # Day 2: the share price rises to 110.
        (DAY2, {"cash": Line("cash", D(500), D(1), D(500)),
                "acme": Line("equity", D(5), D(110), D(550))}),
    ]  # fmt: skip

    openings, series = sleeve_series(opening, days, by_group)

    assert openings == {"cash": D(1000)}
    assert series["equity"] == [DayValue(DAY1, D(500), D(500)), DayValue(DAY2, D(550), D(0))]
    assert series["cash"] == [DayValue(DAY1, D(500), D(-500)), DayValue(DAY2, D(500), D(0))]
    assert time_weighted_return(series["equity"]) == D("0.1")
    assert time_weighted_return(series["cash"], opening_value=D(1000)) == 0
