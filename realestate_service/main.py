"""The realestate service's app: the kit's defaults plus this service's routers."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from fleetkit import probes
from fleetkit.app import create_fleet_app
from realestate_service.audit.router import router as audit
from realestate_service.billing.router import router as billing
from realestate_service.books.service import ledger_books
from realestate_service.buildings.router import router as buildings
from realestate_service.config import Settings, get_settings
from realestate_service.deposits.router import router as deposits
from realestate_service.expenses.router import router as expenses
from realestate_service.leases.router import router as leases
from realestate_service.organization.router import router as organization
from realestate_service.reports.router import router as reports


def create_app(
    settings: Settings | None = None, ledger_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """Build the app (uvicorn calls this with `--factory`); `ledger_transport` routes the
    ledger client elsewhere (tests run a real ledger app in-process)."""
    settings = settings or get_settings()
    app = create_fleet_app(
        settings,
        title="Real estate service",
        description=(
            "Buildings, units, tenants, leases, charges, payments, deposits, expenses and reports."
        ),
        routers=[
            buildings,
            leases,
            billing,
            deposits,
            expenses,
            reports,
            organization,
            audit,
            probes.router,
        ],
        row_security=True,
    )
    app.state.books = ledger_books(settings, ledger_transport)
    app.state.closers.append(app.state.books.client.aclose)
    return app
