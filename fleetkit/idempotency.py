"""Idempotency-Key for writes, backed by Postgres (DESIGN.md §7).

The same key and body replays the first response; the same key with another body is 422; a
request still in flight is 409. Keys are scoped to the caller (tenant and subject of its token)
and the route, and kept for `RETENTION`. Only final answers are stored: a 5xx, or an
authentication or rate-limit refusal, frees the key so the client may try again. If a process
dies mid-request, the key is taken over once its lease runs out; business operations also carry
natural keys (transaction ids, client order ids) so a rerun finds what the first run did.
A downstream's "still in flight" 409, passed on by the gateway, is not final either.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import DateTime, Integer, LargeBinary, String, delete, func, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fleetkit.db import KitBase
from fleetkit.problems import ProblemError, send_problem

HEADER = "idempotency-key"
RETENTION = timedelta(hours=24)
LEASE = timedelta(seconds=60)
MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_SCOPE_LENGTH = 400
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_NOT_FINAL = {401, 403, 408, 429}
IN_FLIGHT_TYPE = "urn:finfleet:problem:idempotency-in-flight"


class IdempotencyRecord(KitBase):
    """The first answer to a write, kept so a retry gets the same answer."""

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(MAX_SCOPE_LENGTH), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[list[list[str]] | None] = mapped_column(JSONB)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    locked_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


def caller_scope(headers: dict[str, str], method: str, path: str) -> str:
    """Who is asking, for which route: keys never collide across callers or routes."""
    tenant, subject = "-", "anonymous"
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        try:
            # Not verified here: the route verifies it; a forged token only sees its own scope.
            claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
            tenant, subject = str(claims.get("tenant") or "-"), str(claims.get("sub", subject))
        except jwt.PyJWTError:
            subject = "invalid-token"
    scope = f"{tenant}|{subject}|{method} {path}"
    if len(scope) <= MAX_SCOPE_LENGTH:
        return scope
    # Keep a readable prefix and make the whole unique with its digest.
    digest = hashlib.sha256(scope.encode()).hexdigest()
    return f"{scope[: MAX_SCOPE_LENGTH - 65]}#{digest}"


def request_fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    """A digest of everything that makes two requests the same request."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


async def claim_key(
    session: AsyncSession, scope: str, key: str, fingerprint: str
) -> IdempotencyRecord | None:
    """Take the key for this request; None when taken, else the existing record to answer from.

    Raises ProblemError 422 for a different body and 409 while another request holds it.
    """
    now = datetime.now(UTC)
    inserted = await session.execute(
        insert(IdempotencyRecord)
        .values(
            scope=scope,
            key=key,
            request_hash=fingerprint,
            state="in_flight",
            locked_until=now + LEASE,
            expires_at=now + RETENTION,
        )
        .on_conflict_do_nothing()
        .returning(IdempotencyRecord.key)
    )
    if inserted.first() is not None:
        return None
    record = await session.scalar(
        select(IdempotencyRecord)
        .where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
        .with_for_update()
    )
    if record is None:  # expired and pruned between the two statements
        return await claim_key(session, scope, key, fingerprint)
    if record.request_hash != fingerprint:
        raise ProblemError(
            422, "idempotency-key-reused", "this Idempotency-Key was used with a different request"
        )
    if record.state == "completed":
        return record
    if record.locked_until > now:
        raise ProblemError(
            409,
            "idempotency-in-flight",
            "a request with this Idempotency-Key is in progress",
            headers={"Retry-After": "1"},
        )
    record.locked_until = now + LEASE  # the first holder died: take over
    return None


async def settle_key(
    session: AsyncSession, scope: str, key: str, status: int, headers: list[list[str]], body: bytes
) -> None:
    """Store the final answer, or free the key when the answer is not final."""
    where = (IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
    if status >= 500 or status in _NOT_FINAL or _still_in_flight(status, body):
        await session.execute(delete(IdempotencyRecord).where(*where))
        return
    await session.execute(
        update(IdempotencyRecord)
        .where(*where)
        .values(
            state="completed", response_status=status, response_headers=headers, response_body=body
        )
    )


def _still_in_flight(status: int, body: bytes) -> bool:
    """A 409 'in flight' passed on from a downstream service (the gateway forwards the key):
    the request has no answer yet, so it must not be stored as this key's final one."""
    return status == 409 and IN_FLIGHT_TYPE.encode() in body


async def prune_expired_keys(session: AsyncSession) -> int:
    """Delete keys past their retention; returns how many went."""
    result = await session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.expires_at < datetime.now(UTC))
    )
    return int(getattr(result, "rowcount", 0) or 0)


class IdempotencyMiddleware:
    """Applies Idempotency-Key semantics to every write that carries the header."""

    def __init__(self, app: ASGIApp, sessionmaker: async_sessionmaker[AsyncSession]):
        self.app = app
        self.sessionmaker = sessionmaker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        key = headers.get(HEADER)
        if key is None:
            await self.app(scope, receive, send)
            return
        try:
            await self._idempotent(scope, receive, send, headers, key)
        except ProblemError as error:
            await send_problem(scope, send, error)

    async def _idempotent(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str], key: str
    ) -> None:
        if not 1 <= len(key) <= 255 or not key.isprintable():
            raise ProblemError(
                400, "invalid-idempotency-key", "Idempotency-Key must be 1-255 printable characters"
            )
        body = await _read_body(receive)
        owner = caller_scope(headers, scope["method"], scope["path"])
        fingerprint = request_fingerprint(
            scope["method"], scope["path"], scope["query_string"], body
        )
        async with self.sessionmaker() as session, session.begin():
            previous = await claim_key(session, owner, key, fingerprint)
        if previous is not None:
            await _replay(send, previous)
            return
        status, out_headers, chunks = 500, [], []

        async def capture(message: Message) -> None:
            nonlocal status, out_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                out_headers = [
                    [k.decode("latin-1"), v.decode("latin-1")]
                    for k, v in message.get("headers", [])
                ]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, _replay_body(body), capture)
        finally:
            async with self.sessionmaker() as session, session.begin():
                await settle_key(session, owner, key, status, out_headers, b"".join(chunks))


async def _read_body(receive: Receive) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ProblemError(413, detail=f"request body exceeds {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay_body(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _replay(send: Send, record: IdempotencyRecord) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in record.response_headers or []]
    headers.append((b"idempotent-replayed", b"true"))
    await send(
        {"type": "http.response.start", "status": record.response_status, "headers": headers}
    )
    await send({"type": "http.response.body", "body": record.response_body or b""})
