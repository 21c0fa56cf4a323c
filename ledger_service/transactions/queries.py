"""Reading transactions back: one by id, or a page for an account or a time range."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.db import driver_connection
from ledger_service.domain.amounts import to_decimal_string
from ledger_service.transactions.schemas import LineOut, TransactionPublic

_SELECT = """
    SELECT t.seq, t.id, t.kind, t.target_id, t.effective_at, t.committed_at, t.expires_at,
           t.metadata::text AS metadata,
           array_agg(l.account_id ORDER BY l.line_no) FILTER (WHERE l.line_no IS NOT NULL)
               AS accounts,
           array_agg(l.side ORDER BY l.line_no) FILTER (WHERE l.line_no IS NOT NULL) AS sides,
           array_agg(l.amount ORDER BY l.line_no) FILTER (WHERE l.line_no IS NOT NULL) AS amounts,
           array_agg(a.asset_code ORDER BY l.line_no) FILTER (WHERE l.line_no IS NOT NULL)
               AS assets,
           array_agg(s.scale ORDER BY l.line_no) FILTER (WHERE l.line_no IS NOT NULL) AS scales
    FROM transactions t
    LEFT JOIN transaction_lines l ON l.transaction_id = t.id
    LEFT JOIN accounts a ON a.id = l.account_id
    LEFT JOIN assets s ON s.code = a.asset_code
"""


def _public(row: Any) -> TransactionPublic:
    import json

    lines = [
        LineOut(
            account_id=acc,
            side=side,
            amount=to_decimal_string(amount, scale),
            asset=f"{asset}/{scale}",
        )
        for acc, side, amount, asset, scale in zip(
            row["accounts"] or [],
            row["sides"] or [],
            row["amounts"] or [],
            row["assets"] or [],
            row["scales"] or [],
            strict=True,
        )
    ]
    return TransactionPublic(
        id=row["id"],
        kind=row["kind"],
        target_id=row["target_id"],
        lines=lines,
        effective_at=row["effective_at"],
        committed_at=row["committed_at"],
        expires_at=row["expires_at"],
        metadata=json.loads(row["metadata"]),
    )


async def get_transaction(
    session: AsyncSession, tenant_id: str, transaction_id: uuid.UUID
) -> TransactionPublic | None:
    """The tenant's transaction, or None (another tenant's is None too)."""
    conn = await driver_connection(session)
    row = await conn.fetchrow(
        _SELECT + " WHERE t.id = $1 AND t.tenant_id = $2 GROUP BY t.seq, t.id",
        transaction_id,
        tenant_id,
    )
    return None if row is None else _public(row)


async def list_transactions(
    session: AsyncSession,
    tenant_id: str,
    *,
    account_id: uuid.UUID | None,
    start: datetime | None,
    end: datetime | None,
    after_seq: int,
    limit: int,
) -> tuple[list[TransactionPublic], int | None]:
    """A page in commit order, and the seq to continue after (None at the end)."""
    conn = await driver_connection(session)
    rows = await conn.fetch(
        _SELECT
        + """
        WHERE t.tenant_id = $1 AND t.seq > $2
          AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM transaction_lines x
                WHERE x.transaction_id = t.id AND x.account_id = $3))
          AND ($4::timestamptz IS NULL OR t.committed_at >= $4)
          AND ($5::timestamptz IS NULL OR t.committed_at < $5)
        GROUP BY t.seq, t.id ORDER BY t.seq LIMIT $6
        """,
        tenant_id,
        after_seq,
        account_id,
        start,
        end,
        limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return [_public(r) for r in rows], (rows[-1]["seq"] if more and rows else None)
