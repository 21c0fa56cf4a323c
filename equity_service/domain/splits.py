"""Splits, exactly: share quantities scale by to/from and must stay on the 10^-9 grid; prices
scale the other way, rounded to the tick in the holder's favour of their reservation."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from equity_service.domain.money import EXACT, minor
from equity_service.domain.prices import tick_down, tick_up


class InexactSplit(Exception):  # noqa: N818 - names the outcome
    """A quantity would need more than nine decimals after the split."""


@dataclass(frozen=True)
class Ratio:
    to: Decimal
    frm: Decimal

    def shares(self, qty: Decimal) -> Decimal:
        """`qty` after the split; `InexactSplit` when a fraction of 10^-9 would be lost."""
        scaled = EXACT.divide(EXACT.multiply(qty, self.to), self.frm)
        if scaled != scaled.quantize(minor(9)):
            raise InexactSplit(f"{qty} shares do not split exactly by {self.to}:{self.frm}")
        return scaled.quantize(minor(9))

    def price(self, price: Decimal, tick: Decimal, side: str) -> Decimal:
        """An order's limit or stop after the split: a buy's rounds down (its reserved cash
        still covers qty x limit), a sell's rounds up; never below one tick."""
        scaled = EXACT.divide(EXACT.multiply(price, self.frm), self.to)
        rounded = tick_down(scaled, tick) if side == "buy" else tick_up(scaled, tick)
        return max(rounded, tick)
