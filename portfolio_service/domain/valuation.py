"""Valuing a position: quantity x price, rounded once, summed in the base currency."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")

ASSET_CLASSES = {
    "cash": "cash",
    "equity": "equity",
    "bond": "fixed_income",
    "certificate": "private_markets",
    "property": "real_estate",
}
"""Holding kind → asset class (the grouping of allocation and performance by class)."""


def position_value(quantity: Decimal, price: Decimal) -> Decimal:
    """`quantity x price` rounded half-even to the cent (the one rounding of a valuation)."""
    return (quantity * price).quantize(CENT, rounding=ROUND_HALF_EVEN)


def mid_price(bid: Decimal, ask: Decimal) -> Decimal:
    """The middle of a quote, the fair mark of a listed share between trades."""
    return (bid + ask) / 2
