"""Alembic support shared by every service: the async env runner and the kit's own tables."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy import MetaData, pool
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config


def run_migrations(metadata: MetaData, database_url: str) -> None:
    """Body of every service's `migrations/env.py`, online or offline."""
    config = context.config
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if context.is_offline_mode():
        context.configure(url=database_url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:  # handed in by the test plugin
        _run_sync(connection, metadata)
        return
    asyncio.run(_run_async(metadata))


def _run_sync(connection: Connection, metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(metadata: MetaData) -> None:
    config = context.config
    engine = async_engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync, metadata)
    await engine.dispose()


def create_kit_tables() -> None:
    """The outbox, inbox and idempotency tables, in a service's first migration."""
    uuid = postgresql.UUID(as_uuid=True)
    tstz = sa.DateTime(timezone=True)
    op.create_table(
        "outbox",
        sa.Column("id", uuid, primary_key=True),
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("envelope", postgresql.JSONB, nullable=False),
        sa.Column("created_at", tstz, server_default=sa.func.now(), nullable=False),
        sa.Column("published_at", tstz),
        sa.Column("attempts", sa.Integer, server_default=sa.text("0"), nullable=False),
    )
    op.create_index(
        "ix_outbox_unpublished", "outbox", ["id"], postgresql_where=sa.text("published_at IS NULL")
    )
    op.create_table(
        "inbox",
        sa.Column("event_id", uuid, primary_key=True),
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("handled_at", tstz, server_default=sa.func.now(), nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(400), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("response_status", sa.Integer),
        sa.Column("response_headers", postgresql.JSONB),
        sa.Column("response_body", sa.LargeBinary),
        sa.Column("created_at", tstz, server_default=sa.func.now(), nullable=False),
        sa.Column("locked_until", tstz, nullable=False),
        sa.Column("expires_at", tstz, nullable=False),
    )
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])


def drop_kit_tables() -> None:
    """Undo `create_kit_tables`."""
    for table in ("idempotency_keys", "inbox", "outbox"):
        op.drop_table(table)
