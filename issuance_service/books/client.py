"""Building the ledger client of the issuance service from its settings."""

from __future__ import annotations

import httpx

from fleetkit.http_client import DownstreamClient
from fleetkit.internal_jwt import TokenMinter
from fleetkit.ledger_client import LedgerClient
from fleetkit.settings import SettingsError
from issuance_service.books.service import IssuanceBooks
from issuance_service.config import Settings


def ledger_books(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> IssuanceBooks:
    """IssuanceBooks over a downstream client to the ledger, signing as `issuance`."""
    seed = settings.signing_key()
    if seed is None:
        raise SettingsError("ISSUANCE_JWT_PRIVATE_KEY is required: issuance signs its ledger calls")
    downstream = DownstreamClient(
        settings.service_name, "ledger", settings.fleet.service_url("ledger"), transport=transport
    )
    return IssuanceBooks(LedgerClient(downstream, TokenMinter(settings.service_name, seed)))
