"""SQL for index fixings (reference data: no tenant)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any


async def insert_fixings(conn: Any, index: str, fixings: list[tuple[date, Decimal]]) -> None:
    """Store the fixings not stored yet (the caller has checked the stored ones agree)."""
    await conn.execute(
        """
        INSERT INTO index_fixings (index_name, fixing_date, rate)
        SELECT $1, f.fixing_date, f.rate FROM unnest($2::date[], $3::numeric[])
            AS f (fixing_date, rate)
        ON CONFLICT (index_name, fixing_date) DO NOTHING
        """,
        index, [day for day, _ in fixings], [rate for _, rate in fixings],
    )  # fmt: skip


async def lock_index(conn: Any, index: str) -> None:
    """Serialise writers of one index until the transaction ends (check, then insert)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('index_fixings:' || $1))", index)


async def fixings_between(conn: Any, index: str, first: date, last: date) -> dict[date, Decimal]:
    """The index's stored fixings dated `first` to `last`, by date."""
    rows = await conn.fetch(
        "SELECT fixing_date, rate FROM index_fixings WHERE index_name = $1 "
        "AND fixing_date BETWEEN $2 AND $3 ORDER BY fixing_date",
        index, first, last,
    )  # fmt: skip
    return {row["fixing_date"]: row["rate"] for row in rows}
