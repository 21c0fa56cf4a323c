"""The crash-safe chain writer: sign (nonce allocated under the signer's row lock, signed bytes
stored before anything is sent), broadcast (the same bytes on every retry), track (receipts,
confirmations, reorgs). Each step commits on its own, so a worker killed anywhere leaves a
state the next run continues from:

- killed after signing, before broadcasting: the intent is `signed` with its bytes; the next
  run broadcasts those bytes (same nonce, same hash), never a second transaction;
- killed after broadcasting, before recording the receipt: the next run finds the receipt by
  the stored hash;
- a reorg dropping the block: the receipt is gone, or its block hash is no longer the
  canonical one; the intent goes back to `signed` and the same bytes are broadcast again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from fleetkit.db import make_sessionmaker
from fleetkit.events.outbox import emit
from issuance_service.chain.contract import ChainNode, token_id_of
from issuance_service.chain.intents import CUSTODY
from issuance_service.chain.models import ChainIntent, NonceManager

log = logging.getLogger(__name__)


@dataclass
class WriterRun:
    signed: int = 0
    broadcast: int = 0
    confirmed: int = 0
    reorged: int = 0


async def run_writer(engine: AsyncEngine, node: ChainNode, confirmations: int) -> WriterRun:
    """Sign every new intent, broadcast every signed one, track every one in flight."""
    run = WriterRun()
    while await sign_next(engine, node):
        run.signed += 1
    run.broadcast = await broadcast_signed(engine, node)
    run.confirmed, run.reorged = await track(engine, node, confirmations)
    return run


async def _nonce_manager(session: AsyncSession, node: ChainNode) -> NonceManager:
    """The signer's nonce manager, locked; created from the node's count on first use."""
    query = select(NonceManager).where(NonceManager.signer == node.signer).with_for_update()
    manager = await session.scalar(query)
    if manager is None:
        chain_id, start = await asyncio.gather(
            asyncio.to_thread(node.chain_id), asyncio.to_thread(node.pending_nonce)
        )
        await session.execute(
            insert(NonceManager)
            .values(signer=node.signer, chain_id=chain_id, next_nonce=start)
            .on_conflict_do_nothing()
        )
        manager = await session.scalar(query)
    assert manager is not None
    return manager


async def sign_next(engine: AsyncEngine, node: ChainNode) -> bool:
    """Sign the oldest new intent with the next nonce; False when there is none."""
    async with make_sessionmaker(engine)() as session, session.begin():
        # The manager's lock first: intents get nonces in their order (a holder's
        # verification always before their mint), one allocation at a time per key.
        manager = await _nonce_manager(session, node)
        intent = await session.scalar(
            select(ChainIntent)
            .where(ChainIntent.status == "new")
            .order_by(ChainIntent.seq)
            .limit(1)
            .with_for_update()
        )
        if intent is None:
            return False
        holder = node.signer if intent.args["holder"] == CUSTODY else intent.args["holder"]
        data = node.call_data(intent.kind, intent.args, holder)
        raw, tx_hash = await asyncio.to_thread(
            node.sign, intent.kind, data, manager.next_nonce, manager.chain_id
        )
        intent.signer, intent.nonce = node.signer, manager.next_nonce
        intent.signed_tx, intent.tx_hash, intent.holder = raw, tx_hash, holder
        intent.status = "signed"
        manager.next_nonce += 1
    return True


async def broadcast_signed(engine: AsyncEngine, node: ChainNode) -> int:
    """Send every signed intent's stored bytes, in nonce order; how many were sent."""
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session:
        ids = list(
            await session.scalars(
                select(ChainIntent.id)
                .where(ChainIntent.status == "signed", ChainIntent.signer == node.signer)
                .order_by(ChainIntent.nonce)
            )
        )
    sent = 0
    for intent_id in ids:
        async with sessionmaker() as session, session.begin():
            intent = await session.scalar(
                select(ChainIntent)
                .where(ChainIntent.id == intent_id, ChainIntent.status == "signed")
                .with_for_update(skip_locked=True)
            )
            if intent is None or intent.signed_tx is None or intent.tx_hash is None:
                continue
            try:
                await asyncio.to_thread(node.broadcast, intent.signed_tx, intent.tx_hash)
            except Exception as exc:
                intent.last_error = str(exc)[:500]
                log.warning("broadcast of %s failed: %s", intent.business_key, exc)
                continue
            intent.status, intent.broadcasts = "broadcast", intent.broadcasts + 1
            sent += 1
    return sent


async def track(engine: AsyncEngine, node: ChainNode, needed: int) -> tuple[int, int]:
    """Receipts, confirmations and reorgs of every intent in flight; (confirmed, reorged)."""
    sessionmaker = make_sessionmaker(engine)
    confirmed = reorged = 0
    async with sessionmaker() as session, session.begin():
        head = await asyncio.to_thread(node.head)
        intents = list(
            await session.scalars(
                select(ChainIntent)
                .where(ChainIntent.status.in_(("broadcast", "mined")))
                .order_by(ChainIntent.nonce)
                .with_for_update(skip_locked=True)
            )
        )
        for intent in intents:
            assert intent.tx_hash is not None
            receipt = await asyncio.to_thread(node.receipt, intent.tx_hash)
            canonical = (
                None
                if receipt is None
                else await asyncio.to_thread(node.canonical_hash, receipt.block_number)
            )
            if receipt is None or canonical != receipt.block_hash:
                if intent.status == "mined" or not await asyncio.to_thread(
                    node.known, intent.tx_hash
                ):
                    # Reorged out (or dropped by the node): the same bytes go out again.
                    intent.reorgs += intent.status == "mined"
                    reorged += intent.status == "mined"
                    intent.status, intent.confirmations = "signed", 0
                    intent.block_number = intent.block_hash = None
                continue
            if receipt.status == 0:
                intent.status, intent.last_error = "failed", "reverted"
                continue
            if intent.block_hash is not None and intent.block_hash != receipt.block_hash:
                intent.reorgs += 1
            intent.block_number, intent.block_hash = receipt.block_number, receipt.block_hash
            intent.confirmations = max(0, head - receipt.block_number + 1)
            if intent.confirmations < needed:
                intent.status = "mined"
                continue
            intent.status = "confirmed"
            confirmed += 1
            if intent.kind == "mint" and intent.investment_id is not None:
                intent.token_id = Decimal(token_id_of(intent.investment_id))
                _publish_minted(session, intent, node)
    return confirmed, reorged


def _publish_minted(session: AsyncSession, intent: ChainIntent, node: ChainNode) -> None:
    emit(
        session,
        producer="issuance",
        type="issuance.certificate.minted",
        payload={
            "investment_id": str(intent.investment_id),
            "campaign_id": intent.args["campaign_id"],
            "certificate": {
                "contract": str(node.contract.address),
                "token_id": format(intent.token_id, "f"),
                "holder": intent.holder,
                "amount": intent.args["amount"],
                "tx_hash": intent.tx_hash,
                "block_number": intent.block_number,
            },
        },
        tenant_id=intent.tenant_id,
    )
