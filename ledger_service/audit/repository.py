"""SQL of the audit chain, on the raw asyncpg connection of the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from ledger_service.audit.chain import ChainedLine, ChainedTransaction, StoredLink

# Any fixed bigint: it names "the right to extend the audit chain" in pg_advisory_xact_lock.
CHAIN_LOCK_KEY = 0x6C65646765726100  # "ledger\0\0"


async def lock_chain(conn: Any) -> None:
    """Wait until this transaction is the only one extending the chain (released at its end)."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", CHAIN_LOCK_KEY)


async def queued_transactions(conn: Any, limit: int) -> list[tuple[int, uuid.UUID]]:
    """The oldest `(transaction_seq, transaction_id)` waiting in the queue, locked."""
    rows = await conn.fetch(
        "SELECT transaction_seq, transaction_id FROM audit_queue "
        "ORDER BY transaction_seq LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
    )
    return [(row["transaction_seq"], row["transaction_id"]) for row in rows]


async def chain_head(conn: Any) -> str | None:
    """The hash of the last link, or None for an empty chain."""
    head: str | None = await conn.fetchval("SELECT hash FROM audit_links ORDER BY seq DESC LIMIT 1")
    return head


async def append_link(
    conn: Any, transaction_ids: Sequence[uuid.UUID], previous_hash: str, digest: str
) -> int:
    """Insert a link; returns its seq."""
    seq: int = await conn.fetchval(
        "INSERT INTO audit_links (transaction_ids, previous_hash, hash) "
        "VALUES ($1::uuid[], $2, $3) RETURNING seq",
        list(transaction_ids),
        previous_hash,
        digest,
    )
    return seq


async def dequeue(conn: Any, transaction_seqs: Sequence[int]) -> None:
    await conn.execute(
        "DELETE FROM audit_queue WHERE transaction_seq = ANY($1::bigint[])", list(transaction_seqs)
    )


async def chained_transactions(
    conn: Any, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ChainedTransaction]:
    """The stored transactions among `ids` with their lines (resolutions may have none)."""
    rows = await conn.fetch(
        """
        SELECT t.id, t.tenant_id, t.kind, t.target_id, t.effective_at, t.committed_at,
               t.expires_at, t.metadata::text AS metadata,
               l.line_nos, l.accounts, l.sides, l.amounts
        FROM transactions t
        LEFT JOIN LATERAL (
            SELECT array_agg(line_no ORDER BY line_no) AS line_nos,
                   array_agg(account_id ORDER BY line_no) AS accounts,
                   array_agg(side ORDER BY line_no) AS sides,
                   array_agg(amount ORDER BY line_no) AS amounts
            FROM transaction_lines WHERE transaction_id = t.id
        ) l ON true
        WHERE t.id = ANY($1::uuid[])
        """,
        list(set(ids)),
    )
    return {row["id"]: _chained(row) for row in rows}


def _chained(row: Any) -> ChainedTransaction:
    lines = zip(
        row["line_nos"] or [],
        row["accounts"] or [],
        row["sides"] or [],
        row["amounts"] or [],
        strict=True,
    )
    return ChainedTransaction(
        id=row["id"],
        tenant_id=row["tenant_id"],
        kind=row["kind"],
        target_id=row["target_id"],
        effective_at=row["effective_at"],
        committed_at=row["committed_at"],
        expires_at=row["expires_at"],
        metadata=row["metadata"],
        lines=tuple(ChainedLine(*parts) for parts in lines),
    )


async def links_after(conn: Any, after_seq: int, max_transactions: int) -> list[StoredLink]:
    """The next links after `after_seq`, as many as fit in `max_transactions` (at least one)."""
    rows = await conn.fetch(
        """
        SELECT seq, transaction_ids, previous_hash, hash FROM (
            SELECT seq, transaction_ids, previous_hash, hash,
                   sum(cardinality(transaction_ids)) OVER (ORDER BY seq)
                       - cardinality(transaction_ids) AS before
            FROM audit_links WHERE seq > $1 ORDER BY seq LIMIT 1000
        ) page
        WHERE before < $2 ORDER BY seq
        """,
        after_seq,
        max_transactions,
    )
    return [
        StoredLink(r["seq"], tuple(r["transaction_ids"]), r["previous_hash"], r["hash"])
        for r in rows
    ]


async def book_census(conn: Any) -> tuple[int, int, int]:
    """(transactions in the book, queued, named by links), from one snapshot."""
    row = await conn.fetchrow(
        """
        SELECT (SELECT count(*) FROM transactions) AS book,
               (SELECT count(*) FROM audit_queue) AS queued,
               (SELECT coalesce(sum(cardinality(transaction_ids)), 0) FROM audit_links) AS linked
        """
    )
    return row["book"], row["queued"], int(row["linked"])
