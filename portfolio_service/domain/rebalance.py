"""Rebalancing: from current values and target weights to a list of share orders (legs).

Decisions (docs/portfolio.md):
- Targets are weights of the whole portfolio by holding or by asset class; a class target is
  shared by the class's tradable holdings in proportion to their current values (equally when
  all are zero). Whatever the targets leave over is the cash target.
- Only listed shares trade. Property, certificates and bonds stay fixed: their value counts in
  the total, and the tradable targets are scaled so that they share what the fixed holdings
  leave (`target_i x (V - fixed) / (sum of tradable targets + cash target)`).
- `full` buys and sells every tradable holding to its target; `cash_flow` only buys, spending
  the cash above the cash target on the holdings furthest below target (in proportion to their
  shortfall); `hybrid` brings back to target only the holdings outside their drift band
  (absolute points or relative percent, whichever is hit first), then spends spare cash like
  `cash_flow`.
- Quantities round toward zero (whole shares, or 6 decimals when fractional), so a plan never
  spends more than the cash and the sales it holds; legs below the minimum trade are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Literal

Mode = Literal["cash_flow", "full", "hybrid"]
FRACTION = Decimal("0.000001")


@dataclass(frozen=True)
class Position:
    """A holding as the planner sees it."""

    key: str
    asset_class: str
    value: Decimal
    price: Decimal | None
    tradable: bool


@dataclass(frozen=True)
class Bands:
    """Drift tolerated before `hybrid` trades a holding."""

    absolute_points: Decimal = Decimal("0.05")
    relative: Decimal = Decimal("0.25")


@dataclass(frozen=True)
class Leg:
    """One order of the plan."""

    key: str
    side: Literal["buy", "sell"]
    qty: Decimal
    price: Decimal
    value: Decimal


def tradable_targets(
    positions: Sequence[Position], targets: dict[str, Decimal], cash: Decimal
) -> dict[str, Decimal]:
    """Target value of each tradable holding (fixed holdings absorbed, see module docstring)."""
    total = sum((p.value for p in positions), cash)
    fixed = sum((p.value for p in positions if not p.tradable), Decimal(0))
    weights: dict[str, Decimal] = {}
    for p in positions:
        if p.tradable and p.key in targets:
            weights[p.key] = targets[p.key]
    for klass in {p.asset_class for p in positions if p.tradable}:
        if klass not in targets:
            continue
        members = [p for p in positions if p.tradable and p.asset_class == klass
                   and p.key not in targets]  # fmt: skip
        size = sum((p.value for p in members), Decimal(0))
        for p in members:
            share = p.value / size if size else Decimal(1) / len(members)
            weights[p.key] = targets[klass] * share
    cash_weight = max(Decimal(1) - sum(targets.values(), Decimal(0)), Decimal(0))
    tradable_weight = sum(weights.values(), Decimal(0)) + cash_weight
    if tradable_weight == 0:
        return {}
    room = total - fixed
    return {key: w * room / tradable_weight for key, w in weights.items()}


def _qty(value: Decimal, price: Decimal, fractional: bool) -> Decimal:
    step = FRACTION if fractional else Decimal(1)
    return (value / price).quantize(step, rounding=ROUND_DOWN)


def plan(
    positions: Sequence[Position], targets: dict[str, Decimal], cash: Decimal, mode: Mode, *,
    min_trade: Decimal = Decimal(0), fractional: bool = False, bands: Bands = Bands(),
) -> list[Leg]:  # fmt: skip
    """The legs that bring the tradable holdings to (or toward) their targets."""
    goal = tradable_targets(positions, targets, cash)
    total = sum((p.value for p in positions), cash)
    by_key = {p.key: p for p in positions if p.tradable and p.price}
    wanted: dict[str, Decimal] = {}
    if mode in ("full", "hybrid"):
        for key, target in goal.items():
            p = by_key.get(key)
            if p is None:
                continue
            drift = abs(p.value - target) / total if total else Decimal(0)
            relative = abs(p.value - target) / target if target else Decimal(1)
            if mode == "full" or drift > bands.absolute_points or relative > bands.relative:
                wanted[key] = target - p.value
    legs = _legs(wanted, by_key, fractional)
    if mode in ("cash_flow", "hybrid"):
        spent = sum((leg.value if leg.side == "buy" else -leg.value for leg in legs), Decimal(0))
        cash_target = (
            total
            - sum(goal.values(), Decimal(0))
            - sum((p.value for p in positions if not p.tradable), Decimal(0))
        )
        spare = cash - spent - max(cash_target, Decimal(0))
        traded = {leg.key for leg in legs}
        shortfalls = {
            key: goal[key] - by_key[key].value
            for key in goal
            if key in by_key and key not in traded and goal[key] > by_key[key].value
        }
        need = sum(shortfalls.values(), Decimal(0))
        if spare > 0 and need > 0:
            budget = min(spare, need)
            legs += _legs({k: budget * s / need for k, s in shortfalls.items()}, by_key, fractional)
    return [leg for leg in legs if leg.value >= min_trade and leg.qty > 0]


def _legs(wanted: dict[str, Decimal], by_key: dict[str, Position], fractional: bool) -> list[Leg]:
    legs = []
    for key in sorted(wanted):
        change, price = wanted[key], by_key[key].price
        assert price is not None
        qty = _qty(abs(change), price, fractional)
        if qty > 0:
            side: Literal["buy", "sell"] = "buy" if change > 0 else "sell"
            legs.append(Leg(key, side, qty, price, qty * price))
    return legs
