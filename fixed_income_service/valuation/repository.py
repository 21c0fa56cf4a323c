"""SQL for price marks (reference data: no tenant)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

_COLUMNS = "id, bond_id, mark_date, clean_price, created_at"


async def upsert_mark(
    conn: Any, mark_id: uuid.UUID, bond_id: uuid.UUID, mark_date: date, clean: Decimal
) -> Any:
    """Record the mark; a mark for the same bond and date is corrected in place."""
    return await conn.fetchrow(
        f"""
        INSERT INTO bond_marks (id, bond_id, mark_date, clean_price) VALUES ($1, $2, $3, $4)
        ON CONFLICT (bond_id, mark_date) DO UPDATE SET clean_price = EXCLUDED.clean_price,
            created_at = now()
        RETURNING {_COLUMNS}
        """,
        mark_id, bond_id, mark_date, clean,
    )  # fmt: skip


async def latest_mark(conn: Any, bond_id: uuid.UUID, as_of: date) -> Any:
    """The bond's last mark on or before `as_of`, or None."""
    return await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM bond_marks WHERE bond_id = $1 AND mark_date <= $2 "
        "ORDER BY mark_date DESC LIMIT 1",
        bond_id, as_of,
    )  # fmt: skip
