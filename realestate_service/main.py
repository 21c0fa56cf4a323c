"""The realestate service's app: the kit's defaults plus this service's routers."""

from __future__ import annotations

from fastapi import FastAPI

from fleetkit import probes
from fleetkit.app import create_fleet_app
from realestate_service.config import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app (uvicorn calls this with `--factory`)."""
    return create_fleet_app(
        settings or get_settings(),
        title="Real estate service",
        description=(
            "Buildings, units, tenants, leases, charges, payments, deposits, expenses and reports."
        ),
        routers=[probes.router],
    )
