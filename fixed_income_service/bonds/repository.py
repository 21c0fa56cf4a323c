"""SQL for bonds (reference data: no tenant)."""

from __future__ import annotations

import uuid
from typing import Any

_COLUMNS = "id, isin, name, currency, bond_type, terms::text AS terms, created_at"


async def insert_bond(conn: Any, bond_id: uuid.UUID, body: Any, terms: str) -> Any:
    """Insert the bond; None when its ISIN is taken."""
    return await conn.fetchrow(
        f"""
        INSERT INTO bonds (id, isin, name, currency, bond_type, issue_date, maturity_date, terms)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
        ON CONFLICT (isin) DO NOTHING RETURNING {_COLUMNS}
        """,
        bond_id, body.isin, body.name, body.currency, body.bond_type, body.issue_date,
        body.maturity_date, terms,
    )  # fmt: skip


async def get_bond(conn: Any, bond_id: uuid.UUID) -> Any:
    """The bond with that id, or None."""
    return await conn.fetchrow(f"SELECT {_COLUMNS} FROM bonds WHERE id = $1", bond_id)


async def get_bonds(conn: Any, bond_ids: list[uuid.UUID]) -> list[Any]:
    """The bonds among `bond_ids` that exist, in any order."""
    rows: list[Any] = await conn.fetch(
        f"SELECT {_COLUMNS} FROM bonds WHERE id = ANY($1::uuid[])", bond_ids
    )
    return rows


async def list_bonds(conn: Any, after: uuid.UUID | None, limit: int) -> list[Any]:
    """Bonds by id after the cursor; one more than `limit` tells there is a next page."""
    rows: list[Any] = await conn.fetch(
        f"SELECT {_COLUMNS} FROM bonds WHERE $1::uuid IS NULL OR id > $1 ORDER BY id LIMIT $2",
        after, limit + 1,
    )  # fmt: skip
    return rows
