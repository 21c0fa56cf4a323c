"""Cost basis: FIFO lots and average cost, realised and unrealised P&L, splits.

Pure: the caller passes a position's history (fills and splits, oldest first). Costs are kept
exact (no rounding inside); the caller rounds what it shows, to the cent, half-even.
A lot's cost includes the buy's fee; a sale's proceeds are net of its fee.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from equity_service.domain.money import EXACT

Method = Literal["fifo", "average"]


@dataclass(frozen=True)
class Trade:
    side: str  # buy | sell
    qty: Decimal
    cash: Decimal  # what the fill paid (buy) or received (sell), before the fee
    fee: Decimal


@dataclass(frozen=True)
class Split:
    ratio_to: Decimal  # 3-for-1: to = 3, from = 1
    ratio_from: Decimal


@dataclass
class Lot:
    qty: Decimal
    cost: Decimal


@dataclass
class Basis:
    """What is held, what it cost, and what sales realised."""

    method: Method
    lots: deque[Lot] = field(default_factory=deque)
    realised: Decimal = Decimal(0)

    @property
    def qty(self) -> Decimal:
        return sum((lot.qty for lot in self.lots), Decimal(0))

    @property
    def cost(self) -> Decimal:
        return sum((lot.cost for lot in self.lots), Decimal(0))

    def unrealised(self, mark: Decimal) -> Decimal:
        """Market value at `mark` minus what the shares held cost."""
        return EXACT.multiply(self.qty, mark) - self.cost


def _share(cost: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    return EXACT.divide(EXACT.multiply(cost, part), whole)


def apply(basis: Basis, event: Trade | Split) -> None:
    """Add one fill or split to `basis`."""
    if isinstance(event, Split):
        # The same cost is spread over more (or fewer) shares: nothing is realised.
        for lot in basis.lots:
            lot.qty = EXACT.divide(EXACT.multiply(lot.qty, event.ratio_to), event.ratio_from)
        return
    if event.side == "buy":
        basis.lots.append(Lot(event.qty, event.cash + event.fee))
        if basis.method == "average" and len(basis.lots) > 1:
            basis.lots = deque([Lot(basis.qty, basis.cost)])
        return
    remaining, removed = event.qty, Decimal(0)
    while remaining > 0 and basis.lots:
        lot = basis.lots[0]
        taken = min(remaining, lot.qty)
        part = _share(lot.cost, taken, lot.qty)
        lot.qty -= taken
        lot.cost -= part
        removed += part
        remaining -= taken
        if lot.qty == 0:
            basis.lots.popleft()
    basis.realised += event.cash - event.fee - removed


def cost_basis(history: Sequence[Trade | Split], method: Method) -> Basis:
    """The basis after `history`, by `method`."""
    basis = Basis(method)
    for event in history:
        apply(basis, event)
    return basis
