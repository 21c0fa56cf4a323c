"""Audit chain use cases: link the queued transactions, verify the whole chain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.db import driver_connection
from ledger_service.audit import repository
from ledger_service.audit.chain import GENESIS, broken_link_reason, link_hash

LINK_BATCH = 10_000  # transactions per link, and per database transaction of the chainer
VERIFY_PAGE = 10_000  # transactions loaded at a time while verifying


class MissingQueuedTransactionError(RuntimeError):
    """The queue names a transaction the book does not hold: linking stops, nothing is written."""


@dataclass(frozen=True)
class ChainReport:
    """The result of a verification. `links` and `transactions` count what was found intact
    before the first broken link; `tenant_transactions` counts those of the asking tenant."""

    verified: bool
    links: int
    transactions: int
    tenant_transactions: int
    first_broken_link: int | None = None
    reason: str | None = None


async def link_pending_transactions(session: AsyncSession, *, limit: int = LINK_BATCH) -> int:
    """Append one link covering the oldest queued transactions (up to `limit`), in
    `transaction_seq` order, and take them off the queue; returns how many were linked.

    Holds the chain's advisory lock until the caller's transaction ends, so links are appended
    one chainer at a time and each starts from the hash of the one before.
    """
    conn = await driver_connection(session)
    await repository.lock_chain(conn)
    queued = await repository.queued_transactions(conn, limit)
    if not queued:
        return 0
    ids = [transaction_id for _, transaction_id in queued]
    stored = await repository.chained_transactions(conn, ids)
    if len(stored) != len(set(ids)):
        raise MissingQueuedTransactionError(
            f"{len(set(ids)) - len(stored)} queued transactions are not stored"
        )
    previous = await repository.chain_head(conn) or GENESIS
    digest = link_hash(previous, [stored[i] for i in ids])
    await repository.append_link(conn, ids, previous, digest)
    await repository.dequeue(conn, [seq for seq, _ in queued])
    return len(ids)


async def verify_chain(session: AsyncSession, *, tenant_id: str | None = None) -> ChainReport:
    """Recompute every link from the stored transactions, oldest first, and check that every
    transaction in the book is either linked or still queued."""
    conn = await driver_connection(session)
    expected_previous, after = GENESIS, 0
    links = transactions = tenant_transactions = 0
    while page := await repository.links_after(conn, after, VERIFY_PAGE):
        stored = await repository.chained_transactions(
            conn, [i for link in page for i in link.transaction_ids]
        )
        for link in page:
            covered = [stored.get(i) for i in link.transaction_ids]
            reason = broken_link_reason(link, expected_previous, covered)
            if reason is not None:
                return ChainReport(
                    False, links, transactions, tenant_transactions, link.seq, reason
                )
            links += 1
            transactions += len(covered)
            tenant_transactions += sum(1 for t in covered if t and t.tenant_id == tenant_id)
            expected_previous, after = link.hash, link.seq
    book, queued, linked = await repository.book_census(conn)
    if book != queued + linked:
        reason = (
            f"the book holds {book} transactions but the chain names {linked} "
            f"and the queue {queued}"
        )
        return ChainReport(False, links, transactions, tenant_transactions, None, reason)
    return ChainReport(True, links, transactions, tenant_transactions)
