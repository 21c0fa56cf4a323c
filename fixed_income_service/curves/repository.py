"""SQL for curves (reference data: no tenant)."""

from __future__ import annotations

import uuid
from typing import Any

_COLUMNS = (
    "id, name, reference_date, instruments::text AS instruments, pillar_times, "
    "log_discounts, interpolation, params, created_at"
)


async def insert_curve(
    conn: Any, curve_id: uuid.UUID, name: str, reference_date: Any, instruments: str,
    times: list[float], logs: list[float], interpolation: str, params: list[float],
) -> Any:  # fmt: skip
    """Store a bootstrapped or fitted curve; returns its row."""
    return await conn.fetchrow(
        f"""
        INSERT INTO curves (id, name, reference_date, instruments, pillar_times, log_discounts,
                            interpolation, params)
        VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8) RETURNING {_COLUMNS}
        """,
        curve_id, name, reference_date, instruments, times, logs, interpolation, params,
    )  # fmt: skip


async def get_curve(conn: Any, curve_id: uuid.UUID) -> Any:
    """The curve with that id, or None."""
    return await conn.fetchrow(f"SELECT {_COLUMNS} FROM curves WHERE id = $1", curve_id)
