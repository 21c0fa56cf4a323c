"""The fixed_income service's app: the kit's defaults plus this service's routers."""

from __future__ import annotations

from fastapi import FastAPI

from fixed_income_service.analytics.router import router as analytics
from fixed_income_service.bonds.router import router as bonds
from fixed_income_service.config import Settings, get_settings
from fixed_income_service.curves.router import router as curves
from fleetkit import probes
from fleetkit.app import create_fleet_app


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app (uvicorn calls this with `--factory`)."""
    return create_fleet_app(
        settings or get_settings(),
        title="Fixed income service",
        description=(
            "Bonds and their conventions, holiday calendars, yield curves, bond analytics, "
            "bond trades."
        ),
        routers=[bonds, curves, analytics, probes.router],
    )
