"""Reconciliation: every account's running totals against the lines that produced them.

Recomputed from `transaction_lines`: `posted`, `post_hold` and `reversal` lines add to
`debits_posted` / `credits_posted` by side; a `pending` hold's lines add to `debits_pending` /
`credits_pending` until a `post_hold`, `void_hold` or `expire_hold` names it. The account's
columns and its latest entry must both equal what was recomputed, and the entry's version the
account's. One statement, so one snapshot: postings running meanwhile cannot cause a difference.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.db import driver_connection

TOTALS = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")

ACCOUNTS_OFF = """
WITH recomputed AS (
    SELECT l.account_id,
        sum(l.amount) FILTER (WHERE l.side = 'debit' AND t.kind = 'pending'
                              AND r.id IS NULL) AS debits_pending,
        sum(l.amount) FILTER (WHERE l.side = 'debit'
                              AND t.kind IN ('posted', 'post_hold', 'reversal')) AS debits_posted,
        sum(l.amount) FILTER (WHERE l.side = 'credit' AND t.kind = 'pending'
                              AND r.id IS NULL) AS credits_pending,
        sum(l.amount) FILTER (WHERE l.side = 'credit'
                              AND t.kind IN ('posted', 'post_hold', 'reversal')) AS credits_posted
    FROM transaction_lines l
    JOIN transactions t ON t.id = l.transaction_id
    LEFT JOIN transactions r ON r.target_id = t.id AND t.kind = 'pending'
                            AND r.kind IN ('post_hold', 'void_hold', 'expire_hold')
    GROUP BY l.account_id
)
SELECT * FROM (
SELECT a.id, a.tenant_id, a.name, a.version,
    ARRAY[a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted] AS stored,
    ARRAY[coalesce(c.debits_pending, 0), coalesce(c.debits_posted, 0),
          coalesce(c.credits_pending, 0), coalesce(c.credits_posted, 0)]::bigint[] AS recomputed,
    ARRAY[coalesce(e.debits_pending, 0), coalesce(e.debits_posted, 0),
          coalesce(e.credits_pending, 0), coalesce(e.credits_posted, 0)] AS latest_entry,
    coalesce(e.version, 0) AS entry_version
FROM accounts a
LEFT JOIN recomputed c ON c.account_id = a.id
LEFT JOIN LATERAL (
    SELECT * FROM entries x WHERE x.account_id = a.id ORDER BY x.version DESC LIMIT 1
) e ON true
) census
WHERE stored <> recomputed OR latest_entry <> recomputed OR version <> entry_version
ORDER BY tenant_id, name
"""


@dataclass(frozen=True)
class AccountDifference:
    """An account whose totals disagree with its lines (values in `TOTALS` order)."""

    account_id: uuid.UUID
    tenant_id: str
    name: str
    stored: tuple[int, ...]
    recomputed: tuple[int, ...]
    latest_entry: tuple[int, ...]
    version: int
    entry_version: int

    def describe(self) -> dict[str, Any]:
        """Only the columns that differ, for the log."""
        return {
            column: {"account": s, "lines": r, "latest_entry": e}
            for column, s, r, e in zip(
                TOTALS, self.stored, self.recomputed, self.latest_entry, strict=True
            )
            if not s == r == e
        }


async def reconcile_accounts(session: AsyncSession) -> list[AccountDifference]:
    """Every account whose columns or latest entry differ from its recomputed totals."""
    conn = await driver_connection(session)
    rows = await conn.fetch(ACCOUNTS_OFF)
    return [
        AccountDifference(
            row["id"],
            row["tenant_id"],
            row["name"],
            tuple(row["stored"]),
            tuple(row["recomputed"]),
            tuple(row["latest_entry"]),
            row["version"],
            row["entry_version"],
        )
        for row in rows
    ]
