"""What a successful campaign pays: the platform fee, the issuer's proceeds, each investor's
certificate units and voting power.

Rounding: the fee is `raised x fee_bps / 10,000` rounded HALF-UP to the cent; the issuer gets
the rest, so fee + proceeds is exactly what was raised. Units are `amount / unit_price` (exact:
pledges are whole multiples of the unit price). Voting power is 1 vote per full 1,000 currency
units invested (rounded DOWN).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
BPS = Decimal(10_000)
VOTE_UNIT = Decimal(1000)


@dataclass(frozen=True)
class Release:
    """How escrow is emptied on success."""

    fee: Decimal
    proceeds: Decimal


def release_of(raised: Decimal, fee_bps: int) -> Release:
    """The platform fee and the issuer's proceeds of `raised`."""
    fee = (raised * fee_bps / BPS).quantize(CENT, rounding=ROUND_HALF_UP)
    return Release(fee, raised - fee)


def units_of(amount: Decimal, unit_price: Decimal) -> int:
    """Certificate units bought by `amount` (a whole multiple of the unit price)."""
    units = amount / unit_price
    if units != units.to_integral_value():
        raise ValueError(f"{amount} is not a multiple of {unit_price}")
    return int(units)


def voting_power(amount: Decimal) -> int:
    """1 vote per full 1,000 currency units invested."""
    return int((amount / VOTE_UNIT).to_integral_value(rounding=ROUND_DOWN))
