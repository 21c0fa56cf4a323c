"""The nightly valuation snapshots (beat): every live portfolio, valued for the day before."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from celery import shared_task
from celery.schedules import crontab
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from fleetkit.celery_app import IDEMPOTENT, run_use_case
from fleetkit.db import make_sessionmaker
from fleetkit.internal_jwt import TokenMinter
from portfolio_service.config import Settings, get_settings
from portfolio_service.gateway.service import build_downstream_clients
from portfolio_service.portfolios.models import Portfolio
from portfolio_service.valuation.downstream import Fleet
from portfolio_service.valuation.snapshots import take_snapshot

log = logging.getLogger("portfolio_service.snapshots")
DOWNSTREAM = ("equity", "fixed_income", "ledger", "realestate", "issuance")


async def snapshot_every_portfolio(
    engine: AsyncEngine,
    settings: Settings,
    day: date,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> int:
    """Snapshot each live portfolio for `day`, one transaction each (one failure stops none);
    `transports` reach the services elsewhere (tests run them in-process)."""
    seed = settings.signing_key()
    if seed is None:
        raise RuntimeError("PORTFOLIO_JWT_PRIVATE_KEY is required to value portfolios")
    urls = {name: settings.fleet.service_url(name) for name in DOWNSTREAM}
    clients = build_downstream_clients(settings.service_name, urls, transports=transports)
    fleet = Fleet(clients, TokenMinter(settings.service_name, seed))
    sessions = make_sessionmaker(engine)
    taken = 0
    try:
        async with sessions() as session:
            live = select(Portfolio).where(Portfolio.deleted_at.is_(None))
            portfolios = list((await session.execute(live)).scalars())
        for portfolio in portfolios:
            try:
                async with sessions() as session, session.begin():
                    deadline = settings.valuation_deadline_seconds
                    await take_snapshot(session, fleet, portfolio, day, deadline)
                taken += 1
            except Exception:  # one portfolio's failure must not stop the others' snapshots
                log.exception("snapshot of portfolio %s for %s failed", portfolio.id, day)
    finally:
        for client in clients.values():
            await client.aclose()
    return taken


@shared_task(name="portfolio.snapshot_valuations", bind=True, **IDEMPOTENT)
def snapshot_valuations(self: Any, day: str | None = None) -> int:
    """Snapshot every portfolio for `day` (default: yesterday, UTC); safe to run again."""
    chosen = date.fromisoformat(day) if day else datetime.now(UTC).date() - timedelta(days=1)
    settings = get_settings()
    taken = run_use_case(self, lambda engine: snapshot_every_portfolio(engine, settings, chosen))
    log.info("took %d valuation snapshots for %s", taken, chosen)
    return taken


BEAT_SCHEDULE = {
    "snapshot-valuations": {
        "task": "portfolio.snapshot_valuations",
        "schedule": crontab(hour=0, minute=15),
    },
}
"""Nightly at 00:15 UTC, for the day that just ended."""
