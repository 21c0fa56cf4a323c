"""The audit jobs: link the chain (every few seconds), verify it and reconcile (nightly).

Each Celery task is a thin shell: a fresh NullPool engine on the task app's database (tasks run
in forked children and under `asyncio.run`, so no pooled connection may cross event loops),
then one use case.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from celery import shared_task
from sqlalchemy.ext.asyncio import AsyncEngine

from fleetkit.celery_app import IDEMPOTENT, run_use_case
from fleetkit.db import make_sessionmaker
from ledger_service.audit.metrics import AUDIT_CHAIN_BROKEN, RECONCILIATION_DIFFERENCES
from ledger_service.audit.reconciliation import AccountDifference, reconcile_accounts
from ledger_service.audit.service import (
    LINK_BATCH,
    ChainReport,
    link_pending_transactions,
    verify_chain,
)

log = logging.getLogger("ledger_service.audit")
T = TypeVar("T")
MAX_LINKS_PER_RUN = 50  # a backlog is caught up over several runs, 10,000 transactions a link


async def link_queued_transactions(engine: AsyncEngine, *, batch: int = LINK_BATCH) -> int:
    """Link the queue in links of up to `batch`, each in its own transaction; returns how many."""
    sessionmaker, total = make_sessionmaker(engine), 0
    for _ in range(MAX_LINKS_PER_RUN):
        async with sessionmaker() as session, session.begin():
            linked = await link_pending_transactions(session, limit=batch)
        total += linked
        if linked < batch:
            break
    return total


async def nightly_chain_verification(engine: AsyncEngine) -> ChainReport:
    """Verify the whole chain; a broken chain raises the gauge and logs an error."""
    async with make_sessionmaker(engine)() as session, session.begin():
        report = await verify_chain(session)
    AUDIT_CHAIN_BROKEN.set(0 if report.verified else 1)
    if not report.verified:
        log.error(
            "audit chain broken: %s",
            report.reason,
            extra={"first_broken_link": report.first_broken_link, "links_intact": report.links},
        )
    return report


async def nightly_reconciliation(engine: AsyncEngine) -> list[AccountDifference]:
    """Reconcile every account; each difference is logged, their number goes to the gauge."""
    async with make_sessionmaker(engine)() as session, session.begin():
        differences = await reconcile_accounts(session)
    RECONCILIATION_DIFFERENCES.set(len(differences))
    for difference in differences:
        log.error(
            "account %s does not reconcile",
            difference.name,
            extra={
                "account_id": str(difference.account_id),
                "tenant_id": difference.tenant_id,
                "differences": difference.describe(),
                "version": difference.version,
                "entry_version": difference.entry_version,
            },
        )
    return differences


@shared_task(name="ledger.link_audit_chain", bind=True, **IDEMPOTENT)
def link_audit_chain(self: Any) -> int:
    """Append the queued transactions to the audit chain; returns how many."""
    return run_use_case(self, link_queued_transactions)


@shared_task(name="ledger.verify_audit_chain", bind=True, **IDEMPOTENT)
def verify_audit_chain(self: Any) -> dict[str, Any]:
    """Verify the whole audit chain; returns the report."""
    report = run_use_case(self, nightly_chain_verification)
    return {
        "verified": report.verified,
        "links": report.links,
        "transactions": report.transactions,
        "first_broken_link": report.first_broken_link,
        "reason": report.reason,
    }


@shared_task(name="ledger.reconcile_accounts", bind=True, **IDEMPOTENT)
def reconcile_all_accounts(self: Any) -> list[dict[str, Any]]:
    """Reconcile every account; returns the differences found."""
    return [
        {"account_id": str(d.account_id), "name": d.name, "differences": d.describe()}
        for d in run_use_case(self, nightly_reconciliation)
    ]
