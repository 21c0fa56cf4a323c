"""The equity service's app: the kit's defaults plus this service's routers."""

from __future__ import annotations

from fastapi import FastAPI

from equity_service.config import Settings, get_settings
from fleetkit import probes
from fleetkit.app import create_fleet_app


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app (uvicorn calls this with `--factory`)."""
    return create_fleet_app(
        settings or get_settings(),
        title="Equity service",
        description=(
            "Instruments, prices and bars, quotes, orders and fills on its paper venue, "
            "corporate actions."
        ),
        routers=[probes.router],
    )
