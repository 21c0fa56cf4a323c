"""External flows of a day: deposits and withdrawals on the portfolio's ledger accounts.

The ledger tags the transactions of `POST /deposits` and `/withdrawals` with
`metadata.movement`; those are the owner's money (or securities) coming in or going out. Trades
inside the portfolio are not flows. A flow in securities is worth its units at the day's price.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from fleetkit.policy import Principal
from portfolio_service.domain.valuation import position_value
from portfolio_service.portfolios.models import Holding
from portfolio_service.valuation.downstream import Fleet

EXTERNAL_MOVEMENTS = {"deposit": 1, "withdrawal": -1}


async def units_moved_in(fleet: Fleet, acting: Principal, holding: Holding, day: date) -> Decimal:
    """Net units deposited (+) or withdrawn (-) on the holding's account during `day`."""
    if holding.ledger_account_id is None:
        return Decimal(0)
    start = datetime.combine(day, time.min, tzinfo=UTC)
    params = {"from": start.isoformat(), "to": (start + timedelta(days=1)).isoformat(),
              "limit": "500"}  # fmt: skip
    entries = f"/v1/accounts/{holding.ledger_account_id}/entries"
    moved = Decimal(0)
    while True:
        page = await fleet.get("ledger", entries, acting, params) or {}
        for entry in page.get("items", []):
            moved += await _external_units(fleet, acting, holding, entry["transaction_id"])
        if not page.get("next_cursor"):
            return moved
        params["cursor"] = page["next_cursor"]


async def _external_units(
    fleet: Fleet, acting: Principal, holding: Holding, transaction_id: str
) -> Decimal:
    transaction = await fleet.get("ledger", f"/v1/transactions/{transaction_id}", acting) or {}
    direction = EXTERNAL_MOVEMENTS.get(str(transaction.get("metadata", {}).get("movement")))
    if direction is None:
        return Decimal(0)
    moved = Decimal(0)
    for line in transaction["lines"]:
        if line["account_id"] == str(holding.ledger_account_id):
            moved += Decimal(line["amount"]) * direction
    return moved


async def net_flow(
    fleet: Fleet, acting: Principal, holdings: list[Holding], prices: dict[str, Decimal], day: date
) -> Decimal:
    """The day's external flow in the base currency: units moved times the day's price."""
    total = Decimal(0)
    for holding in holdings:
        units = await units_moved_in(fleet, acting, holding, day)
        if units:
            total += position_value(units, prices.get(str(holding.id), Decimal(0)))
    return total
