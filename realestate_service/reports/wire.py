"""Report values on the wire: money as strings with cents, dates and ids as text."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    """Decimals as `"1234.50"`, dates ISO, UUIDs as text, recursively (never a float)."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def as_wire(document: dict[str, Any]) -> dict[str, Any]:
    """A report document ready for JSON (see `plain`)."""
    return {key: plain(value) for key, value in document.items()}
