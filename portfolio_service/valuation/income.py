"""Income a portfolio received in a period: dividends and coupons credited to its cash accounts
in the ledger, and its share of each building's cash in from the real-estate service."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from pydantic import BaseModel, Field

from fleetkit.policy import Principal
from portfolio_service.domain.income import SOURCES, income_source, received_on
from portfolio_service.domain.valuation import CENT
from portfolio_service.portfolios.models import Holding, Portfolio
from portfolio_service.portfolios.schemas import Amount
from portfolio_service.valuation.downstream import Fleet, ServiceSilent


class IncomePublic(BaseModel):
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    total: Amount
    by_source: dict[str, Amount] = Field(description="dividends, coupons, rent")
    complete: bool
    unavailable: list[str] = Field(description="services that did not answer: left out")


async def _ledger_income(
    fleet: Fleet, acting: Principal, holdings: list[Holding], start: date, end: date
) -> dict[str, Decimal]:
    found = dict.fromkeys(SOURCES[:2], Decimal(0))
    first = datetime.combine(start, time.min, tzinfo=UTC)
    last = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    for holding in holdings:
        account = str(holding.ledger_account_id)
        # The account's transactions with their lines and metadata, a page at a time.
        params = {"account": account, "from": first.isoformat(), "to": last.isoformat(),
                  "limit": "500"}  # fmt: skip
        while True:
            page = await fleet.get("ledger", "/v1/transactions", acting, params) or {}
            for transaction in page.get("items", []):
                source = income_source(transaction.get("metadata", {}))
                if source is not None:
                    found[source] += received_on(transaction["lines"], account)
            if not page.get("next_cursor"):
                break
            params["cursor"] = page["next_cursor"]
    return found


async def _rent(
    fleet: Fleet, acting: Principal, holdings: list[Holding], start: date, end: date
) -> Decimal:
    params = {"from": start.isoformat(), "to": end.isoformat()}
    statement = await fleet.get("realestate", "/v1/reports/owner-statement", acting, params)
    cash_in = {b["building_id"]: Decimal(b["cash_in"]) for b in (statement or {})["buildings"]}
    total = Decimal(0)
    for holding in holdings:
        share = cash_in.get(holding.reference, Decimal(0)) * (holding.share or Decimal(1))
        total += share.quantize(CENT, rounding=ROUND_HALF_EVEN)
    return total


async def income(
    fleet: Fleet, acting: Principal, portfolio: Portfolio, holdings: list[Holding],
    start: date, end: date,
) -> IncomePublic:  # fmt: skip
    """Income received in [start, end] in the base currency; a silent service is named and
    its part left out."""
    base = f"{portfolio.base_currency}/"
    cash = [h for h in holdings if h.kind == "cash" and (h.asset or "").startswith(base)]
    properties = [h for h in holdings if h.kind == "property"]
    found = dict.fromkeys(SOURCES, Decimal(0))
    unavailable = []
    try:
        found.update(await _ledger_income(fleet, acting, cash, start, end))
    except ServiceSilent:
        unavailable.append("ledger")
    if properties:
        try:
            found["rent"] = await _rent(fleet, acting, properties, start, end)
        except (ServiceSilent, KeyError):
            unavailable.append("realestate")
    return IncomePublic(
        start=start, end=end, total=sum(found.values(), Decimal(0)), by_source=found,
        complete=not unavailable, unavailable=unavailable,
    )  # fmt: skip
