"""Chain worker tasks: the writer (sign, broadcast, track) and the reconciliation."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from sqlalchemy.ext.asyncio import AsyncEngine

from fleetkit.celery_app import IDEMPOTENT, run_use_case
from issuance_service.chain.contract import ChainNode
from issuance_service.chain.reconciliation import reconcile
from issuance_service.chain.writer import run_writer
from issuance_service.config import Settings, get_settings


def chain_node(settings: Settings) -> ChainNode | None:
    """The configured node and contract, or None when the chain is not configured."""
    if settings.chain_contract_address is None or settings.chain_private_key is None:
        return None
    return ChainNode(
        settings.fleet.chain_rpc_url,
        settings.chain_contract_address,
        settings.chain_private_key.get_secret_value(),
    )


async def write(engine: AsyncEngine) -> int:
    settings = get_settings()
    node = chain_node(settings)
    if node is None:
        return 0
    run = await run_writer(engine, node, settings.chain_confirmations)
    return run.confirmed


async def check(engine: AsyncEngine) -> int:
    node = chain_node(get_settings())
    return 0 if node is None else len(await reconcile(engine, node))


@shared_task(name="issuance.write_chain", bind=True, **IDEMPOTENT)
def write_chain(self: Any) -> int:
    """Sign, broadcast and track chain intents; returns how many were confirmed."""
    return run_use_case(self, write)


@shared_task(name="issuance.reconcile_chain", bind=True, **IDEMPOTENT)
def reconcile_chain(self: Any) -> int:
    """Compare the certificates on chain with the database; returns the differences."""
    return run_use_case(self, check)
