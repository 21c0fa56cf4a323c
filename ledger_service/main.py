"""The ledger service's app: the kit's defaults plus this service's routers."""

from __future__ import annotations

from fastapi import FastAPI

from fleetkit import probes
from fleetkit.app import create_fleet_app
from ledger_service.config import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app (uvicorn calls this with `--factory`)."""
    return create_fleet_app(
        settings or get_settings(),
        title="Ledger service",
        description=(
            "Assets, accounts, transactions and entries, holds, balances as of any time, the "
            "audit chain."
        ),
        routers=[probes.router],
    )
