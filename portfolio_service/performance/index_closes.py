"""Daily closes of a listed equity used as an index (risk's beta, attribution's benchmark)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fleetkit.policy import Principal
from fleetkit.problems import ProblemError
from portfolio_service.portfolios.service import equity_instrument
from portfolio_service.valuation.downstream import Fleet, ServiceSilent


async def daily_closes(
    fleet: Fleet, acting: Principal, symbol: str, start: date, end: date
) -> dict[date, Decimal]:
    """The symbol's daily closes in [start, end]; 422 when it is not listed, 503 when the
    equity service does not answer."""
    try:
        instrument = await equity_instrument(fleet, acting, symbol)
        if instrument is None:
            raise ProblemError(422, "unknown-benchmark", f"no instrument {symbol} is listed")
        closes: dict[date, Decimal] = {}
        params = {"from": start.isoformat(), "to": end.isoformat(), "limit": "500"}
        path = f"/v1/instruments/{instrument['id']}/bars"
        while True:
            page = await fleet.get("equity", path, acting, params) or {}
            for bar in page["items"]:
                closes[date.fromisoformat(bar["day"])] = Decimal(bar["close"])
            if not page.get("next_cursor"):
                return closes
            params["cursor"] = page["next_cursor"]
    except ServiceSilent as exc:
        raise ProblemError(
            503, "benchmark-unavailable", str(exc), headers={"Retry-After": "5"}
        ) from exc
