"""The equity service's app: the kit's defaults plus this service's routers."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from equity_service.books.client import ledger_books
from equity_service.config import Settings, get_settings
from equity_service.instruments.router import router as instruments
from equity_service.market_data.router import router as market_data
from equity_service.orders.router import router as orders
from equity_service.positions.router import router as positions
from fleetkit import probes
from fleetkit.app import create_fleet_app


def create_app(
    settings: Settings | None = None, ledger_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """Build the app (uvicorn calls this with `--factory`); `ledger_transport` routes the
    ledger client elsewhere (tests run a real ledger app in-process)."""
    settings = settings or get_settings()
    app = create_fleet_app(
        settings,
        title="Equity service",
        description=(
            "Instruments, prices and bars, quotes, orders and fills on its paper venue, "
            "corporate actions."
        ),
        routers=[instruments, market_data, orders, positions, probes.router],
        row_security=True,
    )
    app.state.books = ledger_books(settings, ledger_transport)
    app.state.closers.append(app.state.books.client.aclose)
    app.state.nudge_worker = settings.settle_nudge  # tests that settle themselves switch it off
    return app
