"""Admitting an order: the instrument's and the order type's rules (pure, in the domain),
what it will reserve, and when it expires. Nothing is written here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from equity_service.config import Settings
from equity_service.domain.money import Fees
from equity_service.domain.order_rules import InstrumentRules, OrderRefused, OrderTerms, accept
from equity_service.domain.order_states import Status
from equity_service.domain.quote_fills import Quote
from equity_service.instruments.models import Instrument
from equity_service.orders.models import Order
from equity_service.orders.schemas import OrderCreate
from fleetkit.ids import new_id
from fleetkit.ledger_client import LedgerAccount
from fleetkit.problems import ProblemError


def day_close(now: datetime, settings: Settings) -> datetime:
    """The next market close after `now`: when a day order expires."""
    close = datetime.combine(now.date(), settings.market_close_utc, tzinfo=UTC)
    return close if close > now else close + timedelta(days=1)


def admit(
    body: OrderCreate,
    instrument: Instrument,
    quote: Quote | None,
    cash: LedgerAccount,
    settings: Settings,
    tenant_id: str,
    digest: str,
) -> Order:
    """A `pending_new` order with its quantity and reservation, or a 422 problem."""
    if cash.asset.partition("/")[0] != instrument.currency:
        raise ProblemError(
            422,
            "currency-mismatch",
            f"{body.symbol} trades in {instrument.currency}, the account holds {cash.asset}",
        )
    terms = OrderTerms(
        body.side,
        body.type,
        body.time_in_force,
        body.decimal("qty"),
        body.decimal("notional"),
        body.decimal("limit_price"),
        body.decimal("stop_price"),
        body.expire_at,
    )
    rules = InstrumentRules(
        instrument.fractionable,
        instrument.min_notional,
        instrument.tick_size,
        instrument.qty_step,
        instrument.status == "active",
    )
    reference = None if quote is None else (quote.ask if body.side == "buy" else quote.bid)
    now = datetime.now(UTC)
    try:
        acceptance = accept(
            terms,
            rules,
            reference,
            Fees(settings.fee_bps),
            settings.market_buffer_bps,
            cash.scale,
            now,
        )
    except OrderRefused as refused:
        raise ProblemError(422, refused.kind, refused.detail) from refused
    expire_at = {"gtd": body.expire_at, "day": day_close(now, settings)}.get(body.time_in_force)
    return Order(
        id=new_id(),
        tenant_id=tenant_id,
        client_order_id=body.client_order_id,
        request_hash=digest,
        account_id=body.account_id,
        instrument_id=instrument.id,
        symbol=instrument.symbol,
        side=body.side,
        type=body.type,
        time_in_force=body.time_in_force,
        qty=acceptance.qty,
        notional=terms.notional,
        limit_price=terms.limit_price,
        stop_price=terms.stop_price,
        expire_at=expire_at,
        status=Status.PENDING_NEW,
        cash_scale=cash.scale,
        reserved=acceptance.reserve,
    )
