"""One price per holding, asked of the service that owns the instrument (CONTRACTS.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from fleetkit.policy import Principal
from portfolio_service.domain.valuation import mid_price
from portfolio_service.portfolios.models import Holding
from portfolio_service.valuation.downstream import Fleet, ServiceSilent

BAR_LOOKBACK = timedelta(days=14)
SERVICE_OF_KIND = {
    "equity": "equity",
    "bond": "fixed_income",
    "certificate": "issuance",
    "property": "realestate",
}


@dataclass(frozen=True)
class Price:
    """A price per unit of the holding's quantity, in `currency`."""

    price: Decimal
    currency: str
    source: str
    price_date: date


async def price_of(fleet: Fleet, acting: Principal, holding: Holding, as_of: date) -> Price:
    """The holding's price on `as_of`, or ServiceSilent."""
    ask = _ASKERS[holding.kind]
    try:
        return await ask(fleet, acting, holding, as_of)
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        # An answer that does not follow the contract is no answer.
        target = SERVICE_OF_KIND.get(holding.kind, holding.kind)
        raise ServiceSilent(target, f"malformed answer ({type(exc).__name__})") from exc


async def _cash(fleet: Fleet, acting: Principal, holding: Holding, as_of: date) -> Price:
    return Price(Decimal(1), (holding.asset or "").partition("/")[0], "par", as_of)


async def _equity(fleet: Fleet, acting: Principal, holding: Holding, as_of: date) -> Price:
    currency = str(holding.detail.get("currency", "USD"))
    if as_of >= datetime.now(UTC).date():
        quote = await fleet.get("equity", f"/v1/quotes/{holding.reference}", acting)
        assert quote is not None
        mid = mid_price(Decimal(quote["bid"]), Decimal(quote["ask"]))
        return Price(mid, currency, "quote_mid", as_of)
    instrument_id = holding.detail.get("instrument_id")
    if not instrument_id:
        raise ServiceSilent("equity", f"instrument {holding.reference} unknown to equity")
    params = {"from": (as_of - BAR_LOOKBACK).isoformat(), "to": as_of.isoformat(), "limit": "100"}
    bars = await fleet.get("equity", f"/v1/instruments/{instrument_id}/bars", acting, params)
    items = (bars or {}).get("items") or []
    if not items:
        raise ServiceSilent("equity", f"no close of {holding.reference} on or before {as_of}")
    last = items[-1]
    return Price(Decimal(last["close"]), currency, "close", date.fromisoformat(last["day"]))


async def _bond(fleet: Fleet, acting: Principal, holding: Holding, as_of: date) -> Price:
    path = f"/v1/bonds/{holding.reference}/valuation"
    body = await fleet.get("fixed_income", path, acting, {"as_of": as_of.isoformat()})
    assert body is not None
    if body.get("price_source") == "none":
        raise ServiceSilent("fixed_income", f"bond {holding.reference} has no trade or mark")
    return Price(
        Decimal(body["price_per_unit_face"]), body["currency"],
        f"bond_{body['price_source']}", date.fromisoformat(body["as_of"]),
    )  # fmt: skip


async def _certificate(fleet: Fleet, acting: Principal, holding: Holding, as_of: date) -> Price:
    path = f"/v1/campaigns/{holding.reference}/valuation"
    body = await fleet.get("issuance", path, acting, {"as_of": as_of.isoformat()})
    assert body is not None
    return Price(
        Decimal(body["price_per_unit"]), body["currency"], str(body["method"]),
        date.fromisoformat(body["as_of"]),
    )  # fmt: skip


async def _property(fleet: Fleet, acting: Principal, holding: Holding, as_of: date) -> Price:
    path = f"/v1/buildings/{holding.reference}/valuation"
    body = await fleet.get("realestate", path, acting, {"as_of": as_of.isoformat()})
    assert body is not None
    valued_on = body.get("valued_on") or body["as_of"]
    return Price(
        Decimal(body["value"]), body["currency"], str(body["method"]),
        date.fromisoformat(valued_on),
    )  # fmt: skip


_ASKERS = {
    "cash": _cash,
    "equity": _equity,
    "bond": _bond,
    "certificate": _certificate,
    "property": _property,
}
