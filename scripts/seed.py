"""Seed data for the dev fleet (`make seed`, and `make dev` before it starts the processes).

Each part is safe to run again:
- the gateway's demo identity: tenant "FinFleet Demo" and one user per role,
  `demo-<role>@finfleet.example` (`portfolio_service.seed`);
- equity reference data: AAPL, MSFT and BRK.A listed (`equity_service.admin demo-instruments`);
- a year of demo history (`scripts.demo_history`): daily closes, demo-owner's
  portfolio "Demo growth" traded and funded over the past year with a dividend, its daily
  snapshots, and the benchmark `demo-balanced`. The ledger, equity and gateway apps run here
  in-process on their dev databases (the settings of `.env`), as their integration tests wire
  them; nothing is written around their use cases;
- the other demo assets (`scripts.demo_assets`): two bonds, "Harbour House" with two
  leases and a year of rent billed and paid, its portfolio "Demo property" with a snapshot per
  day, and the campaign "Harbour Solar seed round" launched.
"""

from __future__ import annotations

import os

# `.env` leaves PROMETHEUS_MULTIPROC_DIR empty; prometheus_client reads an empty one as the
# current directory and would leave its files there. The seed's apps need no metrics.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)

import asyncio
import sys

import httpx

from equity_service import admin as equity_admin
from portfolio_service import seed as portfolio_seed
from portfolio_service.config import get_settings


async def seed_history() -> None:
    """The demo history and assets, with every service's app in-process."""
    from equity_service.main import create_app as create_equity
    from fixed_income_service.main import create_app as create_fixed_income
    from issuance_service.main import create_app as create_issuance
    from ledger_service.main import create_app as create_ledger
    from portfolio_service.main import create_app as create_gateway
    from realestate_service.main import create_app as create_realestate
    from scripts.demo_assets import seed_demo_assets
    from scripts.demo_history import seed_demo_history

    ledger = create_ledger()
    to_ledger = httpx.ASGITransport(app=ledger)
    equity = create_equity(ledger_transport=to_ledger)
    equity.state.nudge_worker = False
    services = {
        "ledger": ledger,
        "equity": equity,
        "fixed_income": create_fixed_income(ledger_transport=to_ledger),
        "realestate": create_realestate(ledger_transport=to_ledger),
        "issuance": create_issuance(ledger_transport=to_ledger),
    }
    gateway = create_gateway(
        transports={name: httpx.ASGITransport(app=app) for name, app in services.items()}
    )
    password = os.environ.get("PORTFOLIO_DEMO_PASSWORD", portfolio_seed.DEFAULT_PASSWORD)
    try:
        history = await seed_demo_history(gateway, equity, password)
        print(
            f"demo history since {history['inception']}: portfolio {history['portfolio_id']}, "
            f"{history['snapshots']} daily snapshots (sign in as demo-owner@finfleet.example)"
        )
        assets = await seed_demo_assets(
            gateway, services["realestate"], services["issuance"], password, history["inception"]
        )
        print(
            f"demo assets: bonds, building {assets['building_id']} in portfolio "
            f"{assets['property_portfolio_id']}, campaign {assets['campaign_id']} live"
        )
    finally:
        for app in (gateway, *services.values()):
            for close in getattr(app.state, "closers", ()):
                await close()
            await app.state.redis.aclose()
            await app.state.bus.aclose()
            await app.state.engine.dispose()


def main() -> int:
    """Seed every part; the first failure stops the seed with its status."""
    for part in (portfolio_seed.main, lambda: equity_admin.main(["demo-instruments"])):
        status = part()
        if status:
            return status
    if get_settings().is_production:
        return 0
    asyncio.run(seed_history())
    return 0


if __name__ == "__main__":
    sys.exit(main())
