"""The gateway's app: the kit's defaults, its own public routes, and forwarding to the fleet."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from fleetkit import probes
from fleetkit.app import create_fleet_app
from fleetkit.internal_jwt import TokenVerifier
from fleetkit.settings import SettingsError
from portfolio_service.config import Settings, get_settings
from portfolio_service.gateway import router as gateway
from portfolio_service.gateway.service import build_downstream_clients
from portfolio_service.identity.tokens import PUBLIC_AUDIENCE


def create_app(
    settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """Build the gateway (uvicorn calls this with `--factory`)."""
    settings = settings or get_settings()
    if settings.signing_key() is None:
        raise SettingsError("PORTFOLIO_JWT_PRIVATE_KEY is required: the gateway signs tokens")
    app = create_fleet_app(
        settings,
        title="FinFleet API",
        description="The fleet's public API: every service under /api/v1/<service>/.",
        routers=[probes.router],
        public_routers=[gateway.router],
    )
    own_key = settings.fleet.public_keys()[settings.service_name]
    app.state.access_token_verifier = TokenVerifier(
        PUBLIC_AUDIENCE, {settings.service_name: own_key}
    )
    fleet = settings.fleet
    urls = {
        name: fleet.service_url(name)
        for name in ("equity", "fixed_income", "ledger", "realestate", "issuance")
    }
    app.state.downstream = build_downstream_clients(settings.service_name, urls, transport)
    app.state.closers.extend(client.aclose for client in app.state.downstream.values())
    return app
