"""Money rules of the rent ledger: Decimal dollars, cents, rounding half-up where it happens."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_rent(amount: Decimal) -> Decimal:
    """Round a computed rent or fee to the cent, half-up (987.096… → 987.10)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def is_cents(amount: Decimal) -> bool:
    """Whether `amount` is a whole number of cents (what the API accepts)."""
    return amount == amount.quantize(CENT)
