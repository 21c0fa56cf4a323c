"""SQL of the posting path, on the raw asyncpg connection: set-based, one round trip a table."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ledger_service.domain.accounts import AccountState
from ledger_service.domain.engine import NewTransaction
from ledger_service.domain.transactions import Line, RecordedTransaction

ACCOUNT_COLUMNS = """
    a.id, a.tenant_id, a.name, a.asset_code, s.scale, a.normal_side,
    a.debits_must_not_exceed_credits, a.credits_must_not_exceed_debits, a.closed,
    a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted, a.version
"""


def account_state(row: Any) -> AccountState:
    return AccountState(*row)


async def lock_accounts(
    conn: Any, tenant_id: str, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, AccountState]:
    """The tenant's accounts among `ids`, locked in id order (a fixed order: no deadlocks)."""
    rows = await conn.fetch(
        f"SELECT {ACCOUNT_COLUMNS} FROM accounts a JOIN assets s ON s.code = a.asset_code "
        "WHERE a.id = ANY($1::uuid[]) AND a.tenant_id = $2 ORDER BY a.id FOR UPDATE OF a",
        sorted(set(ids)),
        tenant_id,
    )
    return {row["id"]: account_state(row) for row in rows}


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


async def existing_hashes(conn: Any, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Request fingerprints of transactions that already exist with these ids."""
    rows = await conn.fetch(
        "SELECT id, request_hash FROM transactions WHERE id = ANY($1::uuid[])", list(set(ids))
    )
    return {row["id"]: row["request_hash"] for row in rows}


async def database_clock(conn: Any) -> datetime:
    """The commit timestamp: the database's clock, read after the account locks are held."""
    value: datetime = await conn.fetchval("SELECT clock_timestamp()")
    return value


async def insert_transactions(conn: Any, tenant_id: str, created: Sequence[NewTransaction]) -> None:
    """Transactions, their lines, the entries they produced, and their place in the audit queue."""
    if not created:
        return
    commands = [item.command for item in created]
    seqs = await conn.fetch(
        """
        INSERT INTO transactions (id, tenant_id, kind, target_id, effective_at, committed_at,
                                  expires_at, metadata, request_hash)
        SELECT id, $2, kind, target_id, effective_at, $3, expires_at, metadata::jsonb, hash
        FROM unnest($1::uuid[], $4::text[], $5::uuid[], $6::timestamptz[], $7::timestamptz[],
                    $8::text[], $9::text[])
             AS t(id, kind, target_id, effective_at, expires_at, metadata, hash)
        RETURNING seq, id
        """,
        [c.id for c in commands],
        tenant_id,
        created[0].committed_at,
        [c.kind for c in commands],
        [c.target_id for c in commands],
        [c.effective_at or item.committed_at for c, item in zip(commands, created, strict=True)],
        [c.expires_at for c in commands],
        [json.dumps(dict(c.metadata)) for c in commands],
        [c.request_hash for c in commands],
    )
    await conn.execute(
        "INSERT INTO audit_queue (transaction_seq, transaction_id) "
        "SELECT * FROM unnest($1::bigint[], $2::uuid[])",
        [row["seq"] for row in seqs],
        [row["id"] for row in seqs],
    )
    line_rows = [
        (item.command.id, number, line.account_id, line.side, line.amount)
        for item in created
        for number, line in enumerate(item.lines, start=1)
    ]
    if line_rows:
        await conn.execute(
            "INSERT INTO transaction_lines (transaction_id, line_no, account_id, side, amount) "
            "SELECT * FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::text[], $5::bigint[])",
            *map(list, zip(*line_rows, strict=True)),
        )
    entry_rows = [
        (
            e.account_id,
            e.version,
            item.command.id,
            item.committed_at,
            item.command.effective_at or item.committed_at,
            e.debits_pending,
            e.debits_posted,
            e.credits_pending,
            e.credits_posted,
        )
        for item in created
        for e in item.entries
    ]
    await conn.execute(
        """
        INSERT INTO entries (account_id, version, transaction_id, committed_at, effective_at,
                             debits_pending, debits_posted, credits_pending, credits_posted)
        SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::timestamptz[],
                             $5::timestamptz[], $6::bigint[], $7::bigint[], $8::bigint[],
                             $9::bigint[])
        """,
        *map(list, zip(*entry_rows, strict=True)),
    )


async def save_account_totals(conn: Any, accounts: Iterable[AccountState]) -> None:
    """Write the final totals and versions of the accounts a batch touched."""
    touched = [a for a in accounts if a.touched]
    if not touched:
        return
    await conn.execute(
        """
        UPDATE accounts a SET debits_pending = v.dp, debits_posted = v.dpo,
               credits_pending = v.cp, credits_posted = v.cpo, version = v.version
        FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],
                    $6::bigint[]) AS v(id, dp, dpo, cp, cpo, version)
        WHERE a.id = v.id
        """,
        [a.id for a in touched],
        [a.debits_pending for a in touched],
        [a.debits_posted for a in touched],
        [a.credits_pending for a in touched],
        [a.credits_posted for a in touched],
        [a.version for a in touched],
    )
