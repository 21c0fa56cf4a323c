"""SQL for accounts, their entries and their balances as of a time."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from ledger_service.domain.accounts import AccountState

_COLUMNS = """a.id, a.tenant_id, a.name, a.asset_code, s.scale, a.normal_side,
    a.debits_must_not_exceed_credits, a.credits_must_not_exceed_debits, a.closed,
    a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted, a.version,
    a.metadata::text AS metadata, a.created_at"""
_FROM = " FROM accounts a JOIN assets s ON s.code = a.asset_code "


async def asset_scale(conn: Any, code: str) -> int | None:
    scale: int | None = await conn.fetchval("SELECT scale FROM assets WHERE code = $1", code)
    return scale


async def insert_account(
    conn: Any, tenant_id: str, account_id: uuid.UUID, values: dict[str, Any]
) -> bool:
    """Create the account; False when the tenant already has one by that name or id."""
    inserted = await conn.fetchval(
        """
        INSERT INTO accounts (id, tenant_id, name, asset_code, normal_side,
            debits_must_not_exceed_credits, credits_must_not_exceed_debits, metadata)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
        ON CONFLICT DO NOTHING RETURNING id
        """,
        account_id,
        tenant_id,
        values["name"],
        values["asset_code"],
        values["normal_side"],
        values["debits_must_not_exceed_credits"],
        values["credits_must_not_exceed_debits"],
        json.dumps(values["metadata"]),
    )
    return inserted is not None


async def get_account(conn: Any, tenant_id: str, account_id: uuid.UUID) -> Any:
    return await conn.fetchrow(
        f"SELECT {_COLUMNS}{_FROM} WHERE a.id = $1 AND a.tenant_id = $2", account_id, tenant_id
    )


async def find_by_name(conn: Any, tenant_id: str, name: str) -> Any:
    return await conn.fetchrow(
        f"SELECT {_COLUMNS}{_FROM} WHERE a.tenant_id = $1 AND a.name = $2", tenant_id, name
    )


async def list_accounts(
    conn: Any,
    tenant_id: str,
    name_prefix: str | None,
    asset: str | None,
    after: uuid.UUID | None,
    limit: int,
) -> list[Any]:
    rows: list[Any] = await conn.fetch(
        f"""SELECT {_COLUMNS}{_FROM}
        WHERE a.tenant_id = $1
          AND ($2::text IS NULL OR a.name LIKE $2)
          AND ($3::text IS NULL OR a.asset_code = $3)
          AND ($4::uuid IS NULL OR a.id > $4)
        ORDER BY a.id LIMIT $5""",
        tenant_id,
        _like_prefix(name_prefix),
        asset,
        after,
        limit + 1,
    )
    return rows


def _like_prefix(prefix: str | None) -> str | None:
    if prefix is None:
        return None
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


async def entry_as_of(conn: Any, account_id: uuid.UUID, as_of: datetime) -> Any:
    """The account's last entry committed at or before `as_of`: one index lookup."""
    return await conn.fetchrow(
        """SELECT version, debits_pending, debits_posted, credits_pending, credits_posted
        FROM entries WHERE account_id = $1 AND committed_at <= $2
        ORDER BY committed_at DESC, version DESC LIMIT 1""",
        account_id,
        as_of,
    )


async def list_entries(
    conn: Any,
    account_id: uuid.UUID,
    start: datetime | None,
    end: datetime | None,
    after_version: int,
    limit: int,
) -> list[Any]:
    rows: list[Any] = await conn.fetch(
        """SELECT version, transaction_id, committed_at, effective_at, debits_pending,
                  debits_posted, credits_pending, credits_posted
        FROM entries WHERE account_id = $1 AND version > $2
          AND ($3::timestamptz IS NULL OR committed_at >= $3)
          AND ($4::timestamptz IS NULL OR committed_at < $4)
        ORDER BY version LIMIT $5""",
        account_id,
        after_version,
        start,
        end,
        limit + 1,
    )
    return rows


def state_of(row: Any) -> AccountState:
    """The domain view of an account row."""
    return AccountState(*(row[i] for i in range(14)))


async def lock_account(conn: Any, tenant_id: str, account_id: uuid.UUID) -> Any:
    """The account row, locked until the end of the transaction (None if not the tenant's)."""
    return await conn.fetchrow(
        f"SELECT {_COLUMNS}{_FROM} WHERE a.id = $1 AND a.tenant_id = $2 FOR UPDATE OF a",
        account_id,
        tenant_id,
    )


async def mark_closed(conn: Any, account_id: uuid.UUID) -> None:
    await conn.execute("UPDATE accounts SET closed = true WHERE id = $1", account_id)
