"""Money-moving POSTs must carry an Idempotency-Key (the kit's middleware replays retries)."""

from __future__ import annotations

from fastapi import Request

from fleetkit.problems import ProblemError


async def require_idempotency_key(request: Request) -> None:
    """A 428 problem when a money POST comes without its Idempotency-Key header."""
    if not request.headers.get("idempotency-key", "").strip():
        raise ProblemError(
            428,
            "idempotency-key-required",
            "send an Idempotency-Key header with every request that moves money",
        )
