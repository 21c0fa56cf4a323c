"""What makes an order acceptable, and what it reserves. Pure: the caller loads the
instrument and the quote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from equity_service.domain.money import (
    BPS,
    EXACT,
    Fees,
    buy_reservation,
    floor_to_step,
    traded_value,
)
from equity_service.domain.prices import on_tick


class OrderRefused(Exception):  # noqa: N818 - names the outcome
    """The order breaks a rule of the instrument or of its type (answered 422)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail


@dataclass(frozen=True)
class OrderTerms:
    side: str
    type: str
    time_in_force: str
    qty: Decimal | None
    notional: Decimal | None
    limit_price: Decimal | None
    stop_price: Decimal | None
    expire_at: datetime | None


@dataclass(frozen=True)
class InstrumentRules:
    fractionable: bool
    min_notional: Decimal
    tick_size: Decimal
    qty_step: Decimal
    active: bool


@dataclass(frozen=True)
class Acceptance:
    """The quantity the order trades and what it holds in the ledger (cash or shares)."""

    qty: Decimal
    reserve: Decimal


def check_prices(terms: OrderTerms, tick: Decimal) -> None:
    """Limit and stop prices are present exactly when the type needs them, on the tick."""
    needs_limit = terms.type in ("limit", "stop_limit")
    needs_stop = terms.type in ("stop", "stop_limit")
    for name, price, needed in (
        ("limit_price", terms.limit_price, needs_limit),
        ("stop_price", terms.stop_price, needs_stop),
    ):
        if needed and price is None:
            raise OrderRefused("missing-price", f"a {terms.type} order needs {name}")
        if not needed and price is not None:
            raise OrderRefused("unexpected-price", f"a {terms.type} order takes no {name}")
        if price is not None and (price <= 0 or not on_tick(price, tick)):
            raise OrderRefused("off-tick", f"{name} {price} is not a positive multiple of {tick}")


def check_time_in_force(terms: OrderTerms, now: datetime) -> None:
    """gtd needs a future `expire_at`; ioc and fok are for market and limit orders only."""
    if terms.time_in_force == "gtd":
        if terms.expire_at is None or terms.expire_at <= now:
            raise OrderRefused("invalid-expiry", "a gtd order needs an expire_at in the future")
    elif terms.expire_at is not None:
        raise OrderRefused("invalid-expiry", "expire_at applies only to gtd orders")
    if terms.time_in_force in ("ioc", "fok") and terms.type not in ("market", "limit"):
        raise OrderRefused(
            "invalid-time-in-force", f"{terms.time_in_force} is for market and limit orders"
        )


def accept(
    terms: OrderTerms,
    rules: InstrumentRules,
    reference_price: Decimal | None,
    fees: Fees,
    buffer_bps: Decimal,
    cash_scale: int,
    now: datetime,
) -> Acceptance:
    """The order's quantity and reservation, or `OrderRefused`.

    `reference_price` is the ask for a buy and the bid for a sell (None without a quote).
    """
    if not rules.active:
        raise OrderRefused("instrument-not-tradable", "the instrument is not active")
    check_prices(terms, rules.tick_size)
    check_time_in_force(terms, now)
    price = terms.limit_price or reference_price
    if terms.notional is not None:
        if terms.type != "market" or terms.time_in_force != "day" or not rules.fractionable:
            raise OrderRefused("invalid-notional", "notional orders are market, day, fractionable")
        if reference_price is None:
            raise OrderRefused("no-quote", "a notional order needs a current quote")
        rate = 1 + fees.bps / BPS
        qty = floor_to_step(terms.notional / (reference_price * rate), rules.qty_step)
    else:
        assert terms.qty is not None
        qty = terms.qty
    if qty <= 0 or floor_to_step(qty, rules.qty_step) != qty:
        raise OrderRefused("invalid-qty", f"qty must be a positive multiple of {rules.qty_step}")
    if price is None:
        price = terms.stop_price
    if price is None:
        raise OrderRefused("no-quote", "a market order needs a current quote")
    if traded_value(qty, price) < rules.min_notional:
        raise OrderRefused(
            "below-min-notional", f"the order is worth less than {rules.min_notional}"
        )
    if terms.side == "sell":
        return Acceptance(qty, qty)
    if terms.notional is not None:
        return Acceptance(qty, terms.notional)
    value = traded_value(qty, price)
    if terms.type in ("market", "stop"):
        value = EXACT.multiply(value, 1 + buffer_bps / BPS)
    return Acceptance(qty, buy_reservation(value, fees, cash_scale))
