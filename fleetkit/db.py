"""Async SQLAlchemy: one engine per process, one session (and transaction) per request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from fleetkit.row_security import WHOLE_BOOK, TenantScopedSession

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class KitBase(DeclarativeBase):
    """Declarative base of the kit's own tables (outbox, inbox, idempotency keys).

    Each service declares its own base for its tables, with the same NAMING_CONVENTION, and
    gives Alembic both metadatas.
    """

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, *, pool_size: int = 5) -> AsyncEngine:
    """An asyncpg engine whose pool drops a connection as soon as it fails.

    No pre-ping: it would cost a round trip on every request. After a Postgres restart the
    first request on each stale connection fails fast with a 503 problem (`database-unavailable`,
    see `fleetkit.app`), the pool discards that connection, and the client's retry succeeds.
    """
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)


def make_sessionmaker(
    engine: AsyncEngine, *, row_security: bool = False
) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit.

    With `row_security` (a service whose migrations isolate its tenant tables), their
    transactions act for the tenant of the request or `acting_for` block they begin in
    (`fleetkit.row_security`)."""
    if row_security:
        return async_sessionmaker(
            engine, expire_on_commit=False, sync_session_class=TenantScopedSession
        )
    return async_sessionmaker(engine, expire_on_commit=False)


async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: commit when the handler returns, roll back when it raises."""
    async for session in _unit_of_work(request, {}):
        yield session


async def whole_book_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A request's unit of work over every tenant's rows, for use cases that span the book
    (the ledger's audit chain): row-level security does not narrow it to the caller."""
    async for session in _unit_of_work(request, {WHOLE_BOOK: True}):
        yield session


async def _unit_of_work(request: Request, info: dict[str, Any]) -> AsyncIterator[AsyncSession]:
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker(info=info) as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


# scope="function": the commit happens before the response is sent, so a failed commit is an
# error answer, never a success the database did not keep.
SessionDep = Annotated[AsyncSession, Depends(request_session, scope="function")]
WholeBookSessionDep = Annotated[AsyncSession, Depends(whole_book_session, scope="function")]


async def driver_connection(session: AsyncSession) -> Any:
    """The asyncpg connection under `session`, inside the session's transaction.

    SQLAlchemy begins the database transaction lazily, on the first statement it sends; a
    statement sent straight to the driver would otherwise run in autocommit. So the
    transaction is begun here when it has not been yet (checked by the kit's tests).
    """
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    adapter: Any = raw.dbapi_connection
    if getattr(adapter, "_transaction", True) is None:
        await adapter._start_transaction()
    return raw.driver_connection
