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
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from fleetkit.db import make_sessionmaker
from fleetkit.events.outbox import emit
from issuance_service.chain.contract import ChainNode, token_id_of
from issuance_service.chain.intents import CUSTODY
from issuance_service.chain.models import ChainIntent, NonceManager

log = logging.getLogger(__name__)
SIGN_BATCH = 200


@dataclass
class WriterRun:
    signed: int = 0
    broadcast: int = 0
    confirmed: int = 0
    reorged: int = 0


async def run_writer(engine: AsyncEngine, node: ChainNode, confirmations: int) -> WriterRun:
    """Sign every new intent, broadcast every signed one, track every one in flight."""
    run = WriterRun()
    while signed := await sign_next(engine, node):
        run.signed += signed
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


async def sign_next(engine: AsyncEngine, node: ChainNode, batch: int = SIGN_BATCH) -> int:
    """Sign up to `batch` of the oldest new intents with the next nonces, store the signed
    bytes, commit; how many were signed (0: none was waiting)."""
    async with make_sessionmaker(engine)() as session, session.begin():
        # The manager's lock first: intents get nonces in their order (a holder's
        # verification always before their mint), one allocation at a time per key.
        manager = await _nonce_manager(session, node)
        intents = list(
            await session.scalars(
                select(ChainIntent)
                .where(ChainIntent.status == "new")
                .order_by(ChainIntent.seq)
                .limit(batch)
                .with_for_update()
            )
        )
        if not intents:
            return 0
        fees = await asyncio.to_thread(node.fees)
        for intent in intents:
            holder = node.signer if intent.args["holder"] == CUSTODY else intent.args["holder"]
            data = node.call_data(intent.kind, intent.args, holder)
            raw, tx_hash = node.sign(intent.kind, data, manager.next_nonce, manager.chain_id, fees)
            intent.signer, intent.nonce = node.signer, manager.next_nonce
            intent.signed_tx, intent.tx_hash, intent.holder = raw, tx_hash, holder
            intent.status = "signed"
            manager.next_nonce += 1
    return len(intents)


async def broadcast_signed(engine: AsyncEngine, node: ChainNode) -> int:
    """Send every signed intent's stored bytes, in nonce order, then record them as sent; how
    many were sent. Killed before the record, they are simply sent again: same bytes, same
    hash, the node keeps one."""
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(ChainIntent.id, ChainIntent.signed_tx, ChainIntent.tx_hash)
                .where(ChainIntent.status == "signed", ChainIntent.signer == node.signer)
                .order_by(ChainIntent.nonce)
            )
        ).all()
    outcomes = await asyncio.to_thread(
        node.broadcast_many, [(bytes(raw or b""), str(tx_hash)) for _id, raw, tx_hash in rows]
    )
    sent: list[uuid.UUID] = []
    errors: dict[uuid.UUID, str] = {}
    for (intent_id, _raw, _hash), error in zip(rows, outcomes, strict=True):
        if error is None:
            sent.append(intent_id)
        else:  # kept for the operator, retried next run
            errors[intent_id] = error
            log.warning("broadcast of intent %s failed: %s", intent_id, error)
    async with sessionmaker() as session, session.begin():
        if sent:
            await session.execute(
                update(ChainIntent)
                .where(ChainIntent.id.in_(sent), ChainIntent.status == "signed")
                .values(status="broadcast", broadcasts=ChainIntent.broadcasts + 1)
            )
        for intent_id, error in errors.items():
            await session.execute(
                update(ChainIntent).where(ChainIntent.id == intent_id).values(last_error=error)
            )
    return len(sent)


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
        receipts = await asyncio.to_thread(
            node.receipts_many, [str(intent.tx_hash) for intent in intents]
        )
        heights = sorted({r.block_number for r in receipts if r is not None})
        canonical_hashes = await asyncio.to_thread(node.canonical_hashes, heights)
        for intent, receipt in zip(intents, receipts, strict=True):
            assert intent.tx_hash is not None
            canonical = None if receipt is None else canonical_hashes[receipt.block_number]
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
