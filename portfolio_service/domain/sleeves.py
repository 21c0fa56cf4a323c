"""Sleeves of a portfolio (an asset class, a holding) as series of values and flows.

Inside the portfolio, buying shares with cash moves value from the cash sleeve to the share
sleeve: for a sleeve that is a flow, not a return. So a sleeve's flow on a day is what its
units changed by, valued at the day's price, `(q_t - q_{t-1}) x p_t`, summed over its holdings;
what is left of the value's change is the sleeve's return. (Cash has price 1: its sleeve earns
nothing until interest is traced.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portfolio_service.domain.returns import DayValue


@dataclass(frozen=True)
class Line:
    """One holding in one snapshot."""

    group: str
    quantity: Decimal
    price: Decimal
    value: Decimal


def sleeve_series(
    opening: Mapping[str, Line],
    days: Sequence[tuple[date, Mapping[str, Line]]],
    group_of: Callable[[str, Line], str],
) -> tuple[dict[str, Decimal], dict[str, list[DayValue]]]:
    """(opening value, daily values and flows) of each group, from per-holding lines."""
    openings: dict[str, Decimal] = {}
    for holding, line in opening.items():
        key = group_of(holding, line)
        openings[key] = openings.get(key, Decimal(0)) + line.value
    series: dict[str, list[DayValue]] = {}
    previous = dict(opening)
    for day, lines in days:
        values: dict[str, Decimal] = {}
        flows: dict[str, Decimal] = {}
        for holding, line in lines.items():
            key = group_of(holding, line)
            before = previous.get(holding)
            moved = line.quantity - (before.quantity if before else Decimal(0))
            values[key] = values.get(key, Decimal(0)) + line.value
            flows[key] = flows.get(key, Decimal(0)) + moved * line.price
        for holding, before in previous.items():
            if holding not in lines:  # left the portfolio: all of it flowed out
                key = group_of(holding, before)
                values.setdefault(key, Decimal(0))
                flows[key] = flows.get(key, Decimal(0)) - before.value
        for key in values:
            series.setdefault(key, []).append(
                DayValue(day, values[key], flows.get(key, Decimal(0)))
            )
        previous = dict(lines)
    return openings, series
