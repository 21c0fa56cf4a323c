"""Reconciliation: the chain is a second ledger; every confirmed certificate's owner, amount,
campaign and token id on chain are compared with the database, and every difference is
recorded (`chain_reconciliations`), logged at ERROR and counted in the
`issuance_chain_reconciliation_differences` gauge (what the alert rule watches)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from fleetkit.db import make_sessionmaker
from issuance_service.chain.contract import MINOR_UNITS, ChainNode, token_id_of
from issuance_service.chain.metrics import CHAIN_RECONCILIATION_DIFFERENCES
from issuance_service.chain.models import ChainIntent, ChainReconciliation
from issuance_service.investments.models import Investment

log = logging.getLogger(__name__)


async def reconcile(engine: AsyncEngine, node: ChainNode) -> list[dict[str, Any]]:
    """Compare every confirmed mint (and every confirmed investment) with the chain."""
    sessionmaker = make_sessionmaker(engine)
    differences: list[dict[str, Any]] = []
    async with sessionmaker() as session, session.begin():
        rows = (
            await session.execute(
                select(Investment, ChainIntent)
                .outerjoin(
                    ChainIntent,
                    (ChainIntent.investment_id == Investment.id) & (ChainIntent.kind == "mint"),
                )
                .where(Investment.status == "confirmed")
            )
        ).all()
        checked = 0
        for investment, intent in rows:
            if intent is None or intent.status != "confirmed":
                continue  # still on its way: the writer's business, not a difference
            checked += 1
            differences += await _compare(node, investment, intent)
        session.add(ChainReconciliation(checked=checked, differences=differences))
    for difference in differences:
        log.error("chain differs from the database: %s", difference)
    CHAIN_RECONCILIATION_DIFFERENCES.set(len(differences))
    return differences


async def _compare(
    node: ChainNode, investment: Investment, intent: ChainIntent
) -> list[dict[str, Any]]:
    token_id = token_id_of(investment.id)
    found: list[dict[str, Any]] = []

    def differ(field: str, database: Any, chain: Any) -> None:
        found.append(
            {
                "investment_id": str(investment.id),
                "token_id": str(token_id),
                "field": field,
                "database": database,
                "chain": chain,
            }
        )

    if intent.token_id is not None and int(intent.token_id) != token_id:
        differ("token_id", format(intent.token_id, "f"), str(token_id))
    owner = await asyncio.to_thread(node.owner_of, token_id)
    if owner is None:
        differ("owner", intent.holder, None)
        return found
    if intent.holder is None or owner.lower() != intent.holder.lower():
        differ("owner", intent.holder, owner)
    campaign, amount, _votes, _company, _issued = await asyncio.to_thread(
        node.certificate, token_id
    )
    expected = int(investment.amount * MINOR_UNITS)
    if amount != expected:
        differ("amount", format(investment.amount, "f"), format(Decimal(amount) / 100, "f"))
    if uuid.UUID(bytes=campaign) != investment.campaign_id:
        differ("campaign_id", str(investment.campaign_id), str(uuid.UUID(bytes=campaign)))
    return found
