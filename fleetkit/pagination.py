"""Cursor pagination (DESIGN.md §5): `limit` and an opaque `cursor` → `next_cursor`."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import Query

from fleetkit.problems import ProblemError

Limit = Annotated[int, Query(ge=1, le=500, description="items per page")]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the last page")]


def encode_cursor(position: Any) -> str:
    """An opaque cursor for `position` (a JSON-able value such as a sequence number)."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str | None, default: Any) -> Any:
    """The position inside `cursor`, `default` without one; a 400 problem when malformed."""
    if cursor is None:
        return default
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError as exc:
        raise ProblemError(400, "invalid-cursor", "cursor is not one this API gave out") from exc
