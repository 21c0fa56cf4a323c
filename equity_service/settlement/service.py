"""Settlement: the worker posts queued ledger instructions, oldest first, each exactly once.

An instruction is locked (`FOR UPDATE SKIP LOCKED`) while its ledger calls run and marked done
in the same database transaction. A worker killed in between leaves it undone and unlocked;
the next run posts it again under the same ledger transaction id, which the ledger answers with
the original: settled once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from equity_service.books.service import LedgerBooks
from equity_service.settlement.models import LedgerInstruction
from fleetkit.db import make_sessionmaker
from fleetkit.events.outbox import emit
from fleetkit.http_client import DownstreamError
from fleetkit.ledger_client import LedgerRefusal

log = logging.getLogger("equity_service.settlement")
# Published once the ledger has posted the instruction (a release publishes nothing).
COMPLETION_EVENTS = {
    "settle": "equity.trade.settled",
    "split": "equity.split.applied",
    "dividend": "equity.dividend.paid",
}


async def settle_pending(engine: AsyncEngine, books: LedgerBooks, *, limit: int = 500) -> int:
    """Post up to `limit` pending instructions; returns how many were completed."""
    sessionmaker = make_sessionmaker(engine)
    done, after = 0, 0
    for _ in range(limit):
        async with sessionmaker() as session, session.begin():
            query = (
                select(LedgerInstruction)
                .where(LedgerInstruction.done_at.is_(None), LedgerInstruction.seq > after)
                .order_by(LedgerInstruction.seq)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            instruction = (await session.execute(query)).scalar_one_or_none()
            if instruction is None:
                break
            after = instruction.seq
            try:
                await books.execute(instruction.tenant_id, instruction.id, instruction.body)
            except LedgerRefusal as refusal:
                # Not retried blindly: an operator must look (the books disagree with ours).
                instruction.attempts += 1
                instruction.last_error = str(refusal)
                log.error("ledger refused instruction %s: %s", instruction.id, refusal)
                continue
            except DownstreamError as exc:
                log.warning("ledger unavailable, settlement paused: %s", exc)
                break
            instruction.attempts += 1
            instruction.done_at = datetime.now(UTC)
            if instruction.kind == "settle":
                emit(
                    session,
                    producer="equity",
                    type="equity.trade.settled",
                    tenant_id=instruction.tenant_id,
                    payload={
                        "ledger_transaction_id": str(instruction.id),
                        **instruction.body.get("metadata", {}),
                        "lines": instruction.body["lines"],
                    },
                )
            done += 1
    return done
