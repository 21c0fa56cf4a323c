"""Building the ledger client of the fixed income service from its settings."""

from __future__ import annotations

import httpx

from fixed_income_service.books.service import BondBooks
from fixed_income_service.config import Settings
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
