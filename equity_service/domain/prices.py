"""Prices on the tick grid, and the deterministic simulated feed (seeded GBM)."""

from __future__ import annotations

import math
import random
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, InvalidOperation


def on_tick(price: Decimal, tick: Decimal) -> bool:
    """Whether `price` is a whole number of ticks (a price too large to count in ticks is not)."""
    try:
        return price % tick == 0
    except InvalidOperation:  # more whole ticks than 28 digits hold (1E+30 on a cent tick)
        return False


def to_tick(price: Decimal, tick: Decimal, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """`price` rounded to a whole number of ticks (half-even unless a side is named)."""
    ticks = (price / tick).to_integral_value(rounding=rounding)
    return (ticks * tick).quantize(tick)


def tick_up(price: Decimal, tick: Decimal) -> Decimal:
    """Rounded up to the tick: what a buyer pays after slippage."""
    return to_tick(price, tick, ROUND_CEILING)


def tick_down(price: Decimal, tick: Decimal) -> Decimal:
    """Rounded down to the tick: what a seller receives after slippage."""
    return to_tick(price, tick, ROUND_FLOOR)


def gbm_path(
    start: Decimal,
    tick: Decimal,
    *,
    seed: int,
    steps: int,
    drift: float = 0.05,
    volatility: float = 0.2,
    dt: float = 1 / 252,
) -> list[Decimal]:
    """`steps` prices after `start`, each one step of geometric Brownian motion.

    The step is computed in float (a random shock has no exact decimal form) and quantized to
    a Decimal tick at once, so every price the feed publishes is an exact tick multiple and
    the same seed always gives the same path. A price never falls below one tick.
    """
    rng = random.Random(seed)
    prices, price = [], start
    for _ in range(steps):
        shock = rng.gauss(0.0, 1.0)
        growth = math.exp((drift - volatility**2 / 2) * dt + volatility * math.sqrt(dt) * shock)
        price = max(tick, to_tick(price * Decimal(repr(growth)), tick))
        prices.append(price)
    return prices


def quote_around(mid: Decimal, tick: Decimal, spread_bps: Decimal) -> tuple[Decimal, Decimal]:
    """(bid, ask) a configurable spread around `mid`, at least one tick apart."""
    half = mid * spread_bps / Decimal(20000)
    bid = max(tick, tick_down(mid - half, tick))
    ask = max(bid + tick, tick_up(mid + half, tick))
    return bid, ask
