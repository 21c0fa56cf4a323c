"""Identifiers: UUIDv7 everywhere, so ids sort by creation time."""

from __future__ import annotations

import uuid

import uuid6


def new_id() -> uuid.UUID:
    """A fresh UUIDv7."""
    return uuid.UUID(str(uuid6.uuid7()))
