"""SQL for bond trades (tenant rows: every query filters by tenant)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

_COLUMNS = (
    "id, tenant_id, client_trade_id, account_id, bond_id, side, face_amount, clean_price, "
    "accrued, dirty_price, outstanding, cash_amount, cash_asset, face_asset, settlement_date, "
    "ledger_transaction_id, request_hash, trade_date, status, failure, created_at"
)


async def insert_trade(conn: Any, trade: dict[str, Any]) -> Any:
    """Insert the settled trade; None when its id is already there (a concurrent twin)."""
    names = list(trade)
    placeholders = ", ".join(f"${i}" for i in range(1, len(names) + 1))
    return await conn.fetchrow(
        f"INSERT INTO bond_trades ({', '.join(names)}) VALUES ({placeholders}) "
        f"ON CONFLICT DO NOTHING RETURNING {_COLUMNS}",
        *trade.values(),
    )


async def get_trade(conn: Any, tenant_id: str, trade_id: uuid.UUID) -> Any:
    """The tenant's trade, or None."""
    return await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM bond_trades WHERE tenant_id = $1 AND id = $2", tenant_id, trade_id
    )


async def by_client_id(conn: Any, tenant_id: str, client_trade_id: str) -> Any:
    """The tenant's trade booked under the client's id, or None."""
    return await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM bond_trades WHERE tenant_id = $1 AND client_trade_id = $2",
        tenant_id, client_trade_id,
    )  # fmt: skip


async def list_trades(
    conn: Any, tenant_id: str, bond_id: uuid.UUID | None, after: uuid.UUID | None, limit: int
) -> list[Any]:
    """The tenant's trades by id (time order); one more than `limit` tells of a next page."""
    rows: list[Any] = await conn.fetch(
        f"""
        SELECT {_COLUMNS} FROM bond_trades
        WHERE tenant_id = $1 AND ($2::uuid IS NULL OR bond_id = $2)
          AND ($3::uuid IS NULL OR id > $3)
        ORDER BY id LIMIT $4
        """,
        tenant_id, bond_id, after, limit + 1,
    )  # fmt: skip
    return rows


async def latest_trade(conn: Any, tenant_id: str, bond_id: uuid.UUID, as_of: date) -> Any:
    """The tenant's last trade in the bond settling on or before `as_of` (a failed one is no
    price), or None."""
    return await conn.fetchrow(
        """
        SELECT clean_price, settlement_date, created_at FROM bond_trades
        WHERE tenant_id = $1 AND bond_id = $2 AND settlement_date <= $3 AND status <> 'failed'
        ORDER BY settlement_date DESC, created_at DESC LIMIT 1
        """,
        tenant_id, bond_id, as_of,
    )  # fmt: skip


async def holders(conn: Any, bond_id: uuid.UUID) -> list[Any]:
    """Every (tenant, cash account, cash asset) that ever traded the bond."""
    rows: list[Any] = await conn.fetch(
        """
        SELECT tenant_id, account_id, min(cash_asset) AS cash_asset, min(face_asset) AS face_asset
        FROM bond_trades WHERE bond_id = $1
        GROUP BY tenant_id, account_id ORDER BY tenant_id, account_id
        """,
        bond_id,
    )
    return rows


async def traded_bonds(conn: Any) -> list[uuid.UUID]:
    """The bonds any tenant holds or held (only those can owe a payment)."""
    return [row["bond_id"] for row in await conn.fetch("SELECT DISTINCT bond_id FROM bond_trades")]


async def pending_due(conn: Any, today: date) -> list[Any]:
    """Every tenant's pending trades whose settlement date has come, oldest first."""
    rows: list[Any] = await conn.fetch(
        f"SELECT {_COLUMNS} FROM bond_trades WHERE status = 'pending' AND settlement_date <= $1 "
        "ORDER BY settlement_date, created_at, id",
        today,
    )
    return rows


async def lock_pending(conn: Any, trade_id: uuid.UUID) -> Any:
    """The trade if still pending, locked until the transaction ends; else None."""
    return await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM bond_trades WHERE id = $1 AND status = 'pending' FOR UPDATE",
        trade_id,
    )


async def close_trade(conn: Any, trade_id: uuid.UUID, status: str, failure: str | None) -> Any:
    """Mark the pending trade settled or failed."""
    return await conn.fetchrow(
        f"UPDATE bond_trades SET status = $2, failure = $3 WHERE id = $1 RETURNING {_COLUMNS}",
        trade_id, status, failure,
    )  # fmt: skip
