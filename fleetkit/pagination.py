"""Cursor pagination (DESIGN.md §5): `limit` and an opaque `cursor` → `next_cursor`."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, TypeVar

from fastapi import Query

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
