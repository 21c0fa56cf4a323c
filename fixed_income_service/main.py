"""The fixed_income service's app: the kit's defaults plus this service's routers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
from fastapi import FastAPI

from fixed_income_service.analytics.router import router as analytics
from fixed_income_service.bonds.router import router as bonds
from fixed_income_service.books.client import bond_books
from fixed_income_service.config import Settings, get_settings
from fixed_income_service.curves.router import router as curves
from fixed_income_service.fixings.router import router as fixings
from fixed_income_service.trades.router import router as trades
from fixed_income_service.valuation.router import router as valuation
from fleetkit import probes
from fleetkit.app import create_fleet_app


def utc_today() -> date:
    """The business date trades settle on: today in UTC."""
    return datetime.now(UTC).date()


def create_app(
    settings: Settings | None = None, ledger_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """Build the app (uvicorn calls this with `--factory`); `ledger_transport` routes the
    ledger client elsewhere (tests run a real ledger app in-process)."""
    settings = settings or get_settings()
    app = create_fleet_app(
        settings,
        title="Fixed income service",
        description=(
            "Bonds and their conventions, holiday calendars, yield curves, bond analytics, "
            "bond trades settled in the ledger, coupons and redemptions, valuations."
        ),
        routers=[bonds, curves, fixings, analytics, trades, valuation, probes.router],
        row_security=True,
    )
    app.state.books = bond_books(settings, ledger_transport)
    app.state.closers.append(app.state.books.client.aclose)
    app.state.today = utc_today
    return app
