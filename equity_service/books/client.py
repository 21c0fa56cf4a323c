"""Building the ledger client of the equity service from its settings."""

from __future__ import annotations

import httpx

from equity_service.books.service import LedgerBooks
from equity_service.config import Settings
from fleetkit.http_client import DownstreamClient
from fleetkit.internal_jwt import TokenMinter
from fleetkit.ledger_client import LedgerClient
from fleetkit.settings import SettingsError


def ledger_books(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> LedgerBooks:
    """LedgerBooks over a downstream client to the ledger, signing as `equity`."""
    seed = settings.signing_key()
    if seed is None:
        raise SettingsError("EQUITY_JWT_PRIVATE_KEY is required: equity signs its ledger calls")
    downstream = DownstreamClient(
        settings.service_name, "ledger", settings.fleet.service_url("ledger"), transport=transport
    )
    return LedgerBooks(LedgerClient(downstream, TokenMinter(settings.service_name, seed)))
