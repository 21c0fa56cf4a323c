"""SQL of the posting path, on the raw asyncpg connection: set-based, few round trips."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ledger_service.domain.accounts import AccountAssetRow, AccountState
from ledger_service.domain.engine import NewTransaction
from ledger_service.domain.transactions import Line, RecordedTransaction

ACCOUNT_COLUMNS = """
    a.id, a.tenant_id, a.name, a.asset_code, s.scale, a.normal_side,
    a.debits_must_not_exceed_credits, a.credits_must_not_exceed_debits, a.closed,
    a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted, a.version
"""


def account_state(row: Any) -> AccountState:
    """The domain view of a row starting with ACCOUNT_COLUMNS."""
    return AccountState(*(row[i] for i in range(14)))


async def account_assets(
    conn: Any, tenant_id: str, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, AccountAssetRow]:
    """The asset and scale of the tenant's accounts among `ids`, without locking them (an
    account's asset never changes); ids of no account of this tenant are absent."""
    rows = await conn.fetch(
        "SELECT a.id, a.asset_code, s.scale FROM unnest($1::uuid[]) AS wanted (id) "
        "JOIN accounts a ON a.id = wanted.id JOIN assets s ON s.code = a.asset_code "
        "WHERE a.tenant_id = $2",
        list(set(ids)),
        tenant_id,
    )
    return {row["id"]: AccountAssetRow(row["asset_code"], row["scale"]) for row in rows}


async def lock_accounts(
    conn: Any, tenant_id: str, ids: Iterable[uuid.UUID], transaction_ids: Iterable[uuid.UUID]
) -> tuple[dict[uuid.UUID, AccountState], dict[uuid.UUID, str], datetime]:
    """Lock the tenant's accounts among `ids` in id order (a fixed order: no deadlocks).

    In the same round trip: the request fingerprints of transactions that already exist with
    `transaction_ids`, and the database clock. Ids are unique across tenants: another tenant's
    transaction with the same id is seen as a different request (the id is taken,
    "transaction-id-reused") and nothing of it is shown (migration 0004's function, which
    looks past row-level security for this alone).
    """
    transaction_ids = list(set(transaction_ids))
    rows = await conn.fetch(
        f"SELECT {ACCOUNT_COLUMNS}, statement_timestamp() AS now, "
        "transaction_fingerprints($3::uuid[], $2) AS existing "
        "FROM accounts a JOIN assets s ON s.code = a.asset_code "
        "WHERE a.id = ANY($1::uuid[]) AND a.tenant_id = $2 ORDER BY a.id FOR UPDATE OF a",
        sorted(set(ids)),
        tenant_id,
        transaction_ids,
    )
    if not rows:  # no account at all: still answer the other two questions
        row = await conn.fetchrow(
            "SELECT statement_timestamp() AS now, "
            "transaction_fingerprints($1::uuid[], $2) AS existing",
            transaction_ids,
            tenant_id,
        )
        return {}, _existing(row["existing"]), row["now"]
    accounts = {row["id"]: account_state(row) for row in rows}
    return accounts, _existing(rows[0]["existing"]), rows[0]["now"]


def _existing(pairs: list[str] | None) -> dict[uuid.UUID, str]:
    found = (pair.split(" ", 1) for pair in pairs or [])
    return {uuid.UUID(transaction_id): digest for transaction_id, digest in found}


async def recorded_transactions(
    conn: Any, tenant_id: str, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, RecordedTransaction]:
    """Earlier transactions the batch refers to, with their lines and what resolved them."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await conn.fetch(
        """
        SELECT t.id, t.kind, t.expires_at,
               (SELECT r.kind FROM transactions r WHERE r.target_id = t.id
                  AND r.kind IN ('post_hold', 'void_hold', 'expire_hold')) AS resolved_by,
               EXISTS (SELECT 1 FROM transactions r WHERE r.target_id = t.id
                  AND r.kind = 'reversal') AS reversed,
               array_agg(l.account_id ORDER BY l.line_no) AS accounts,
               array_agg(l.side ORDER BY l.line_no) AS sides,
               array_agg(l.amount ORDER BY l.line_no) AS amounts
        FROM transactions t JOIN transaction_lines l ON l.transaction_id = t.id
        WHERE t.id = ANY($1::uuid[]) AND t.tenant_id = $2
        GROUP BY t.id
        """,
        wanted,
        tenant_id,
    )
    return {
        row["id"]: RecordedTransaction(
            row["id"],
            row["kind"],
            tuple(
                Line(*parts)
                for parts in zip(row["accounts"], row["sides"], row["amounts"], strict=True)
            ),
            expires_at=row["expires_at"],
            resolved_by=row["resolved_by"],
            reversed=row["reversed"],
        )
        for row in rows
    }


async def existing_hashes(
    conn: Any, tenant_id: str, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Request fingerprints of transactions that exist now with these ids (a fresh snapshot)."""
    row = await conn.fetchrow(
        "SELECT transaction_fingerprints($1::uuid[], $2) AS existing",
        list(set(ids)),
        tenant_id,
    )
    return _existing(row["existing"])


WRITE_BATCH = """
WITH clock AS (SELECT statement_timestamp() AS at),
created AS (
    INSERT INTO transactions (id, tenant_id, kind, target_id, effective_at, committed_at,
                              expires_at, metadata, request_hash)
    SELECT t.id, $1, t.kind, t.target_id, coalesce(t.effective_at, clock.at), clock.at,
           t.expires_at, t.metadata::jsonb, t.hash
    FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::timestamptz[], $6::timestamptz[],
                $7::text[], $8::text[])
         AS t(id, kind, target_id, effective_at, expires_at, metadata, hash), clock
    RETURNING seq, id, effective_at
),
queued AS (
    INSERT INTO audit_queue (transaction_seq, transaction_id) SELECT seq, id FROM created
),
lines AS (
    INSERT INTO transaction_lines (transaction_id, line_no, account_id, side, amount)
    SELECT * FROM unnest($9::uuid[], $10::int[], $11::uuid[], $12::text[], $13::bigint[])
),
entries AS (
    INSERT INTO entries (account_id, version, transaction_id, committed_at, effective_at,
                         debits_pending, debits_posted, credits_pending, credits_posted)
    SELECT e.account_id, e.version, e.transaction_id, clock.at, created.effective_at,
           e.dp, e.dpo, e.cp, e.cpo
    FROM unnest($14::uuid[], $15::bigint[], $16::uuid[], $17::bigint[], $18::bigint[],
                $19::bigint[], $20::bigint[])
         AS e(account_id, version, transaction_id, dp, dpo, cp, cpo)
    JOIN created ON created.id = e.transaction_id, clock
),
totals AS (
    UPDATE accounts a SET debits_pending = v.dp, debits_posted = v.dpo,
           credits_pending = v.cp, credits_posted = v.cpo, version = v.version
    FROM unnest($21::uuid[], $22::bigint[], $23::bigint[], $24::bigint[], $25::bigint[],
                $26::bigint[]) AS v(id, dp, dpo, cp, cpo, version)
    WHERE a.id = v.id
),
events AS (
    INSERT INTO outbox (id, stream, type, envelope)
    SELECT o.id, $27, o.type,
           jsonb_set(o.envelope::jsonb, '{payload,committed_at}', to_jsonb(clock.at))
    FROM unnest($28::uuid[], $29::text[], $30::text[]) AS o(id, type, envelope), clock
)
SELECT at FROM clock
"""


async def write_batch(
    conn: Any,
    tenant_id: str,
    created: Sequence[NewTransaction],
    accounts: Iterable[AccountState],
    outbox: tuple[str, list[uuid.UUID], list[str], list[str]],
) -> datetime:
    """Everything a batch created, in one statement: transactions, their audit-queue places,
    lines, entries, the touched accounts' totals and the outbox events. Returns the commit
    timestamp (the statement's clock, read after the account locks were taken)."""
    commands = [item.command for item in created]
    lines = [
        (item.command.id, number, line.account_id, line.side, line.amount)
        for item in created
        for number, line in enumerate(item.lines, start=1)
    ]
    entries = [
        (
            e.account_id,
            e.version,
            item.command.id,
            e.debits_pending,
            e.debits_posted,
            e.credits_pending,
            e.credits_posted,
        )
        for item in created
        for e in item.entries
    ]
    touched = [a for a in accounts if a.touched]
    stream, event_ids, event_types, envelopes = outbox
    committed_at: datetime = await conn.fetchval(
        WRITE_BATCH,
        tenant_id,
        [c.id for c in commands],
        [c.kind for c in commands],
        [c.target_id for c in commands],
        [c.effective_at for c in commands],
        [c.expires_at for c in commands],
        [json.dumps(dict(c.metadata)) for c in commands],
        [c.request_hash for c in commands],
        *_columns(lines, 5),
        *_columns(entries, 7),
        [a.id for a in touched],
        [a.debits_pending for a in touched],
        [a.debits_posted for a in touched],
        [a.credits_pending for a in touched],
        [a.credits_posted for a in touched],
        [a.version for a in touched],
        stream,
        event_ids,
        event_types,
        envelopes,
    )
    return committed_at


def _columns(rows: Sequence[tuple[Any, ...]], width: int) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width
