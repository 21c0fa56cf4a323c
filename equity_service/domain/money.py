"""Money math of orders: reservations, and cash per fill without losing a cent.

Cash per fill uses cumulative rounding: after fill k the order has paid
`round(Σ qty_i x price_i)` in cents (half-even), so the sum of the fills' cash is exactly the
rounded exact total and never exceeds the reservation, which is rounded up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal

BPS = Decimal(10000)
# Products of 9-decimal quantities and prices can exceed the default 28 digits: traded values
# are computed with room to spare, so they are exact, never silently rounded.
EXACT = Context(prec=80)


def traded_value(qty: Decimal, price: Decimal, before: Decimal = Decimal(0)) -> Decimal:
    """`before + qty x price`, exactly."""
    return EXACT.add(before, EXACT.multiply(qty, price))


def minor(scale: int) -> Decimal:
    """The smallest unit of an asset with `scale` decimals (`Decimal("0.01")` for 2)."""
    return Decimal(1).scaleb(-scale)


def cash_rounded(amount: Decimal, scale: int) -> Decimal:
    """Half-even to the cash asset's unit: the rounding of every fill's cash."""
    return amount.quantize(minor(scale), rounding=ROUND_HALF_EVEN)


def cash_ceiling(amount: Decimal, scale: int) -> Decimal:
    """Up to the cash unit: a reservation always covers what it reserves for."""
    return amount.quantize(minor(scale), rounding=ROUND_CEILING)


def floor_to_step(qty: Decimal, step: Decimal) -> Decimal:
    """Down to a whole number of steps (a lot, or 10⁻⁹ of a share)."""
    return ((qty / step).to_integral_value(rounding=ROUND_FLOOR) * step).quantize(minor(9))


@dataclass(frozen=True)
class Fees:
    """Commission in basis points of the traded value."""

    bps: Decimal = Decimal(0)

    def on(self, value: Decimal) -> Decimal:
        return EXACT.divide(EXACT.multiply(value, self.bps), BPS)


def buy_reservation(value: Decimal, fees: Fees, scale: int) -> Decimal:
    """Cash held for a buy worth at most `value` (qty x limit, or qty x price x buffer)."""
    return cash_ceiling(value, scale) + cash_ceiling(fees.on(value), scale)


@dataclass(frozen=True)
class FillCash:
    """What one fill moves in cash, for the order it belongs to."""

    cash: Decimal  # the traded value of this fill, in cents
    fee: Decimal


def fill_cash(exact_before: Decimal, exact_after: Decimal, fees: Fees, scale: int) -> FillCash:
    """The cash and fee of the fill that takes the order's exact traded value from
    `exact_before` to `exact_after` (cumulative rounding, see the module)."""
    cash = cash_rounded(exact_after, scale) - cash_rounded(exact_before, scale)
    fee = cash_rounded(fees.on(exact_after), scale) - cash_rounded(fees.on(exact_before), scale)
    return FillCash(cash, fee)


def affordable_qty(
    budget: Decimal, exact_before: Decimal, price: Decimal, fees: Fees, scale: int, step: Decimal
) -> Decimal:
    """The most a buy can still take at `price` with `budget` left of its reservation."""
    rate = 1 + fees.bps / BPS
    qty = floor_to_step(budget / (price * rate), step)
    while qty > 0:
        cost = fill_cash(exact_before, traded_value(qty, price, exact_before), fees, scale)
        if cost.cash + cost.fee <= budget:
            return qty
        qty -= step  # rounding up by a cent can tip it over: one step less always fits
    return Decimal(0)
