"""A benchmark's class returns over a period.

A benchmark is asset-class weights, rebalanced to those weights at the start of every period
(each day between two snapshots), each class tracked either by a listed equity used as an index
(its return from the close on or before the period's first day to the close on or before its
last: weekends and holidays carry the last close) or by a constant annual rate, compounded over
the period's calendar days on ACT/365: `(1 + a)^(days / 365) - 1`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from datetime import date
from decimal import Decimal


class MissingClose(Exception):  # noqa: N818 - names the situation
    """An index has no close on or before a day the period needs."""


def close_on_or_before(closes: Mapping[date, Decimal], day: date) -> Decimal:
    """The last close on or before `day`."""
    days = sorted(closes)
    at = bisect.bisect_right(days, day)
    if at == 0:
        raise MissingClose(f"no close on or before {day.isoformat()}")
    return closes[days[at - 1]]


def index_return(closes: Mapping[date, Decimal], start: date, end: date) -> float:
    """The index's return from the end of `start` to the end of `end`."""
    opening = close_on_or_before(closes, start)
    if opening <= 0:
        raise MissingClose(f"no positive close on or before {start.isoformat()}")
    return float(close_on_or_before(closes, end) / opening - 1)


def rate_return(annual_rate: Decimal, start: date, end: date) -> float:
    """A constant annual rate compounded over the calendar days from `start` to `end`."""
    return math.pow(float(1 + annual_rate), (end - start).days / 365) - 1
