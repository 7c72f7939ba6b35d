"""The database: one engine per process, one transaction per request.

SQLite is driven through the standard `sqlite3` module called inline: a point read on a local
file takes microseconds, and a thread hop per statement (aiosqlite) costs more than the read
(see the project's benchmark notes). PostgreSQL goes through asyncpg. Repositories see one
`DbSession` type and never know which it is.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, Protocol, TypeAlias

from typing_extensions import Unpack

from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    Result,
    create_engine,
    event,
    make_url,
    text,
)
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from supportdesk.core.config import Settings


AnyResult: TypeAlias = Result[Unpack[tuple[Any, ...]]]


class DbSession(Protocol):
    """What a repository may do: run a statement and get a buffered result."""

    dialect_name: str

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> AnyResult: ...


class _SqliteSession:
    dialect_name = "sqlite"

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> AnyResult:
        return self._connection.execute(statement, parameters)


class _AsyncSession:
    dialect_name = "postgresql"

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> AnyResult:
        return await self._connection.execute(statement, parameters)


def async_url(url: str) -> URL:
    """The URL with the driver supportdesk uses: stdlib sqlite3, or asyncpg."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite")
    return parsed.set(drivername="postgresql+asyncpg")


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Autocommit at the driver level: SQLAlchemy's begin event below issues BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front, so a transaction that reads and then writes
        # never fails half-way with "database is locked" when another process wrote meanwhile.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Owns the engine; hands out one transaction at a time per request."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        url = async_url(settings.database_url)
        self.dialect_name = url.get_backend_name()
        self._sqlite_engine: Engine | None = None
        self._async_engine: AsyncEngine | None = None
        # SQLite statements run inline on the event loop; this lock keeps two requests of the
        # same process from interleaving their transactions on separate connections.
        self._sqlite_lock = asyncio.Lock()
        if self.dialect_name == "sqlite":
            self._sqlite_engine = create_engine(url, pool_size=4, max_overflow=0)
            _configure_sqlite(self._sqlite_engine, settings.sqlite_busy_timeout_ms)
        else:
            self._async_engine = create_async_engine(
                url,
                pool_size=settings.db_pool_size,
                max_overflow=settings.db_pool_size,
                pool_timeout=settings.db_pool_timeout_seconds,
                pool_pre_ping=False,
                connect_args={"command_timeout": settings.db_command_timeout_seconds},
            )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[DbSession]:
        """Commit when the block ends, roll back when it raises."""
        if self._sqlite_engine is not None:
            async with self._sqlite_lock:
                with self._sqlite_engine.connect() as connection, connection.begin():
                    yield _SqliteSession(connection)
            return
        assert self._async_engine is not None
        async with self._async_engine.connect() as async_connection, async_connection.begin():
            yield _AsyncSession(async_connection)

    async def ping(self) -> None:
        async with self.transaction() as session:
            await session.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        if self._sqlite_engine is not None:
            self._sqlite_engine.dispose()
        if self._async_engine is not None:
            await self._async_engine.dispose()
