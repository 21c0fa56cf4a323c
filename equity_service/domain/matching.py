"""The internal matching engine: opposite user orders cross with price-time priority.

A resting order trades at its own price; among equal prices the earlier order (lower `seq`)
trades first. Pure and in memory: the caller loads the book, submits one order, and writes the
matches it gets back.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from equity_service.domain.money import traded_value

Side = Literal["buy", "sell"]
# (price, wanted qty, value already matched in this submit) → the qty the taker may take at
# that price (what a buyer's cash still pays for, a lot multiple).
QtyCap = Callable[[Decimal, Decimal, Decimal], Decimal]


@dataclass(frozen=True)
class Resting:
    """A limit order in the book."""

    order_id: uuid.UUID
    side: Side
    price: Decimal
    remaining: Decimal
    seq: int


@dataclass(frozen=True)
class Taker:
    """An incoming order; `limit` None for a market order."""

    order_id: uuid.UUID
    side: Side
    limit: Decimal | None
    remaining: Decimal


@dataclass(frozen=True)
class Match:
    resting_id: uuid.UUID
    qty: Decimal
    price: Decimal


def _no_cap(price: Decimal, wanted: Decimal, spent: Decimal) -> Decimal:
    return wanted


@dataclass
class OrderBook:
    """Both sides of one instrument's book, best first."""

    _bids: list[tuple[Decimal, int, Resting]] = field(default_factory=list)
    _asks: list[tuple[Decimal, int, Resting]] = field(default_factory=list)

    @classmethod
    def of(cls, orders: Iterable[Resting]) -> OrderBook:
        book = cls()
        for order in orders:
            book.rest(order)
        return book

    def rest(self, order: Resting) -> None:
        """Add a limit order to its side."""
        if order.side == "buy":
            heapq.heappush(self._bids, (-order.price, order.seq, order))
        else:
            heapq.heappush(self._asks, (order.price, order.seq, order))

    def best(self, side: Side) -> Resting | None:
        """The order that trades first on `side`, if any."""
        levels = self._bids if side == "buy" else self._asks
        return levels[0][2] if levels else None

    def submit(self, taker: Taker, cap: QtyCap = _no_cap) -> list[Match]:
        """Cross `taker` against the opposite side as far as its limit (and `cap`) allow."""
        levels = self._asks if taker.side == "buy" else self._bids
        matches: list[Match] = []
        remaining, spent = taker.remaining, Decimal(0)
        while remaining > 0 and levels:
            resting = levels[0][2]
            if not _crosses(taker, resting.price):
                break
            wanted = min(remaining, resting.remaining)
            qty = min(wanted, cap(resting.price, wanted, spent))
            if qty <= 0:
                break
            matches.append(Match(resting.order_id, qty, resting.price))
            remaining -= qty
            spent = traded_value(qty, resting.price, spent)
            heapq.heappop(levels)
            if qty < resting.remaining:
                left = Resting(
                    resting.order_id,
                    resting.side,
                    resting.price,
                    resting.remaining - qty,
                    resting.seq,
                )
                heapq.heappush(levels, (levels_key(left), left.seq, left))
            if qty < wanted:
                break  # the taker can take no more, at this price or any worse one
        return matches


def levels_key(order: Resting) -> Decimal:
    """The heap key of a resting order: bids best-highest, asks best-lowest."""
    return -order.price if order.side == "buy" else order.price


def _crosses(taker: Taker, price: Decimal) -> bool:
    if taker.limit is None:
        return True
    return price <= taker.limit if taker.side == "buy" else price >= taker.limit
