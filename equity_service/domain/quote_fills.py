"""Fills against the market's quote: when a resting order triggers, at what price, how much.

The partial-fill model: one quote fills at most its displayed size (`ask_size` for buys,
`bid_size` for sells); what is left waits for the next quote. Slippage moves the price against
the taker by a configurable number of basis points, rounded to the tick against the taker too,
and never beyond the order's limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from equity_service.domain.money import BPS
from equity_service.domain.prices import tick_down, tick_up


@dataclass(frozen=True)
class Quote:
    bid: Decimal
    ask: Decimal
    bid_size: Decimal
    ask_size: Decimal


def stop_triggered(side: str, stop: Decimal, quote: Quote) -> bool:
    """A buy stop triggers when the ask reaches it; a sell stop when the bid falls to it."""
    return quote.ask >= stop if side == "buy" else quote.bid <= stop


def quote_price(
    side: str, limit: Decimal | None, quote: Quote, tick: Decimal, slippage_bps: Decimal
) -> Decimal | None:
    """The price a taker gets from `quote`, or None when its limit does not reach the market."""
    if side == "buy":
        if limit is not None and quote.ask > limit:
            return None
        price = tick_up(quote.ask * (1 + slippage_bps / BPS), tick)
        return price if limit is None else min(price, limit)
    if limit is not None and quote.bid < limit:
        return None
    price = tick_down(quote.bid * (1 - slippage_bps / BPS), tick)
    price = max(price, tick)
    return price if limit is None else max(price, limit)


def displayed_size(side: str, quote: Quote) -> Decimal:
    """How much one quote can fill for a taker on `side`."""
    return quote.ask_size if side == "buy" else quote.bid_size
