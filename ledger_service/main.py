"""The ledger service's app: the kit's defaults plus assets, accounts, transactions, audit."""

from __future__ import annotations

from fastapi import FastAPI

from fleetkit import probes
from fleetkit.app import create_fleet_app
from ledger_service.accounts.router import router as accounts
from ledger_service.assets.router import router as assets
from ledger_service.audit.router import router as audit
from ledger_service.config import Settings, get_settings
from ledger_service.transactions.movements import router as movements
from ledger_service.transactions.router import router as transactions
from ledger_service.transactions.sequencer import PostingSequencer


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app (uvicorn calls this with `--factory`)."""
    app = create_fleet_app(
        settings or get_settings(),
        title="Ledger service",
        description=(
            "The fleet's book of record: multi-asset double-entry accounts, two-phase holds, "
            "reversals, balances as of any time, a hash-chained audit log."
        ),
        routers=[assets, accounts, transactions, movements, audit, probes.router],
        row_security=True,
    )
    app.state.posting_sequencer = PostingSequencer(app.state.sessionmaker)
    return app
