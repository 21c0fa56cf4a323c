"""Cursor pagination (DESIGN.md §5): `limit` and an opaque `cursor` → `next_cursor`."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Annotated, Any, TypeVar

from fastapi import Query
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from fleetkit.problems import ProblemError

T = TypeVar("T")
Limit = Annotated[int, Query(ge=1, le=500, description="items per page")]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the last page")]


def encode_cursor(position: Any) -> str:
    """An opaque cursor for `position` (a JSON-able value such as a sequence number)."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str | None, default: T) -> T:
    """The position inside `cursor` (of the type of `default`), `default` without one; a 400
    problem when the cursor is malformed or holds another type."""
    if cursor is None:
        return default
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError as exc:
        raise ProblemError(400, "invalid-cursor", "cursor is not one this API gave out") from exc
    if not isinstance(position, type(default)) or isinstance(position, bool):
        raise ProblemError(400, "invalid-cursor", "cursor is not one this API gave out")
    return position


async def page(
    session: AsyncSession,
    query: Select[*tuple[Any, ...]],
    id_column: InstrumentedAttribute[uuid.UUID],
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None]:
    """One page of `query`'s rows after `cursor`, in `id_column` order (creation order where ids
    are UUIDv7, a stable order where not), and the cursor of the next page (or None)."""
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
