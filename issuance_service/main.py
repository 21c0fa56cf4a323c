"""The issuance service's app: the kit's defaults plus this service's routers."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from fastapi import FastAPI

from fleetkit import probes
from fleetkit.app import create_fleet_app
from issuance_service.books.client import ledger_books
from issuance_service.campaigns.router import router as campaigns
from issuance_service.chain.router import router as chain
from issuance_service.chain.tasks import chain_node
from issuance_service.config import Settings, get_settings
from issuance_service.investments.router import router as investments
from issuance_service.investors.router import router as investors
from issuance_service.issuers.router import router as issuers


def utc_now() -> datetime:
    """The service's clock (tests replace `app.state.clock` to travel in time)."""
    return datetime.now(UTC)


def create_app(
    settings: Settings | None = None, ledger_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """Build the app (uvicorn calls this with `--factory`); `ledger_transport` routes the
    ledger client elsewhere (tests run a real ledger app in-process)."""
    settings = settings or get_settings()
    app = create_fleet_app(
        settings,
        title="Issuance service",
        description="Issuers and KYC, campaigns, investments, escrow, share-certificate NFTs.",
        routers=[issuers, investors, campaigns, investments, chain, probes.router],
        row_security=True,
    )
    app.state.books = ledger_books(settings, ledger_transport)
    app.state.closers.append(app.state.books.client.aclose)
    app.state.clock = utc_now
    app.state.chain = chain_node(settings)
    return app
