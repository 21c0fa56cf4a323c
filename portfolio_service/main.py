"""The gateway's app: the kit's defaults, its own public routes, and forwarding to the fleet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from fastapi import FastAPI

from fleetkit import probes
from fleetkit.app import create_fleet_app
from fleetkit.internal_jwt import TokenVerifier
from fleetkit.settings import SettingsError
from portfolio_service.benchmarks import router as benchmarks
from portfolio_service.config import Settings, get_settings
from portfolio_service.gateway import router as gateway
from portfolio_service.gateway.openapi import load_snapshots, merged
from portfolio_service.gateway.service import build_downstream_clients
from portfolio_service.identity import router as identity
from portfolio_service.identity.tokens import PUBLIC_AUDIENCE, access_token_minter
from portfolio_service.performance import router as performance
from portfolio_service.portfolios import router as portfolios
from portfolio_service.rebalancing import router as rebalancing
from portfolio_service.store import router as store
from portfolio_service.tenants import router as tenants

DOWNSTREAM = ("equity", "fixed_income", "ledger", "realestate", "issuance")


def create_app(
    settings: Settings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    """Build the gateway (uvicorn calls this with `--factory`).

    `transport` routes every downstream call elsewhere, `transports` one service's calls
    (tests run real service apps in-process and leave others absent).
    """
    settings = settings or get_settings()
    seed = settings.signing_key()
    if seed is None:
        raise SettingsError("PORTFOLIO_JWT_PRIVATE_KEY is required: the gateway signs tokens")
    app = create_fleet_app(
        settings,
        title="FinFleet API",
        description=(
            "The fleet's public API: identity and tenants, portfolios and their analytics, and "
            "every service under /api/v1/<service>/ (equity, bonds, ledger, realestate, "
            "issuance)."
        ),
        routers=[probes.router],
        row_security=True,
        # The forwarding route is a catch-all under /api/v1: it must come last.
        public_routers=[
            identity.router,
            tenants.router,
            portfolios.router,
            performance.router,
            benchmarks.router,
            rebalancing.router,
            store.router,
            gateway.router,
        ],
    )
    own_key = settings.fleet.public_keys()[settings.service_name]
    app.state.access_token_verifier = TokenVerifier(
        PUBLIC_AUDIENCE, {settings.service_name: own_key}
    )
    app.state.access_token_minter = access_token_minter(settings.service_name, seed)
    fleet = settings.fleet
    urls = {name: fleet.service_url(name) for name in DOWNSTREAM}
    app.state.downstream = build_downstream_clients(
        settings.service_name, urls, transport, transports or {}
    )
    app.state.closers.extend(client.aclose for client in app.state.downstream.values())
    own_openapi = app.openapi

    def public_openapi() -> dict[str, Any]:
        """The gateway's own paths and every service's, as one document (gateway/openapi.py)."""
        if not getattr(app.state, "public_openapi", None):
            app.state.public_openapi = merged(own_openapi(), load_snapshots())
        document: dict[str, Any] = app.state.public_openapi
        return document

    app.openapi = public_openapi  # type: ignore[method-assign]
    return app
