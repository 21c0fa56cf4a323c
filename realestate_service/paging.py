"""Cursor pagination of this service's lists (DESIGN §5): by id, UUIDv7, so creation order."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from fleetkit.pagination import decode_cursor, encode_cursor
from fleetkit.problems import ProblemError


async def page(
    session: AsyncSession,
    query: Select[*tuple[Any, ...]],
    id_column: InstrumentedAttribute[uuid.UUID],
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None]:
    """One page of `query`'s rows after `cursor`, and the cursor of the next page (or None)."""
    after = decode_cursor(cursor, "")
    if after:
        try:
            query = query.where(id_column > uuid.UUID(after))
        except ValueError as exc:
            raise ProblemError(
                400, "invalid-cursor", "cursor is not one this API gave out"
            ) from exc
    rows = list((await session.execute(query.order_by(id_column).limit(limit + 1))).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = encode_cursor(str(getattr(last, "id", last)))
    return rows, next_cursor
