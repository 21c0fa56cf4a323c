"""Building the ledger client of the fixed income service from its settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from fixed_income_service.books.service import BondBooks
from fixed_income_service.config import Settings, get_settings
from fleetkit.http_client import DownstreamClient
from fleetkit.internal_jwt import TokenMinter
from fleetkit.ledger_client import LedgerClient
from fleetkit.settings import SettingsError


def bond_books(settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> BondBooks:
    """BondBooks over a downstream client to the ledger, signing as `fixed_income`."""
    seed = settings.signing_key()
    if seed is None:
        raise SettingsError(
            "FIXED_INCOME_JWT_PRIVATE_KEY is required: fixed income signs its ledger calls"
        )
    downstream = DownstreamClient(
        settings.service_name, "ledger", settings.fleet.service_url("ledger"), transport=transport
    )
    return BondBooks(LedgerClient(downstream, TokenMinter(settings.service_name, seed)))


async def run_for_day(
    engine: AsyncEngine,
    today: date,
    use_case: Callable[[AsyncEngine, BondBooks, date], Awaitable[int]],
) -> int:
    """Run a beat use case for `today` with a ledger client of this run's event loop."""
    books = bond_books(get_settings())
    try:
        return await use_case(engine, books, today)
    finally:
        await books.client.aclose()
