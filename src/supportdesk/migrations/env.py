"""Alembic environment: the URL comes from supportdesk's settings (or `-x url=...`)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection, create_engine, pool
from sqlalchemy.ext.asyncio import create_async_engine

from supportdesk.core.config import get_settings
from supportdesk.core.db import async_url
from supportdesk.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    explicit = config.get_main_option("sqlalchemy.url") or context.get_x_argument(
        as_dictionary=True
    ).get("url")
    return async_url(explicit or get_settings().database_url).render_as_string(hide_password=False)


# The full-text index (migration 0004) is each backend's own kind of object (an FTS5 table and
# its shadow tables on SQLite, a tsvector table on PostgreSQL) and no model declares it.
SEARCH_TABLES = "ticket_search"


def include_object(
    object: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLES))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


def run_migrations_online() -> None:
    url = _url()
    if url.startswith("sqlite"):
        engine = create_engine(url, poolclass=pool.NullPool)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        asyncio.run(_run_async(url))


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
