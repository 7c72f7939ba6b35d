"""The database: one engine per process, one transaction per request.

SQLite is driven through the standard `sqlite3` module called inline: a point read on a local
file takes microseconds, and a thread hop per statement (aiosqlite) costs more than the read
(see the project's benchmark notes). PostgreSQL goes through asyncpg. Repositories see one
`DbSession` type and never know which it is.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias, cast

import asyncpg
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
from sqlalchemy.engine import URL, Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from supportdesk.core.config import Settings

AnyResult: TypeAlias = Result[*tuple[Any, ...]]


class DbSession(Protocol):
    """What a repository may do: run a statement and get a buffered result."""

    dialect_name: str

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> AnyResult: ...

    async def rows(
        self, statement: ClauseElement, parameters: Mapping[str, Any]
    ) -> Sequence[Sequence[Any]]:
        """Run a statement built once at import time, skipping SQLAlchemy's per-execution work
        (result metadata, type processing): values come back as the driver returns them."""
        ...

    async def snapshot(self) -> bool:
        """From here on, read one consistent state; True if that began a new one (what was
        read before may be older). SQLite: a reading session's deferred BEGIN, which its
        single-statement reads skip; otherwise the transaction already holds one. PostgreSQL
        reads each statement's own snapshot (READ COMMITTED, as every transaction always did):
        False."""
        ...


@dataclass(frozen=True, slots=True)
class _Compiled:
    statement: ClauseElement  # held so that its id() is never reused while cached
    sql: str
    names: tuple[str, ...]
    defaults: dict[str, Any]

    def values(self, parameters: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(
            parameters[name] if name in parameters else self.defaults[name] for name in self.names
        )


_COMPILED: dict[tuple[int, str], _Compiled] = {}


def _compiled(statement: ClauseElement, dialect: Dialect) -> _Compiled:
    key = (id(statement), dialect.name)
    found = _COMPILED.get(key)
    if found is None:
        if len(_COMPILED) > 1_000:  # rows() is for statements built once; never grow unbounded
            _COMPILED.clear()
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        found = _Compiled(
            statement, compiled.string, tuple(compiled.positiontup or ()), dict(compiled.params)
        )
        _COMPILED[key] = found
    return found


# `Connection.info` key: the transaction being begun only reads (a deferred BEGIN).
_READING = "supportdesk_reading"


class _SqliteSession:
    """Opens its transaction at the first statement, so a request that needs no database
    (a cached key refused, a rate limit hit) never waits for the process's SQLite lock.

    A reading session (`Database.reading`) takes no write lock, so it never queues behind
    another process's writes: its `rows()` run in SQLite's autocommit (a single SELECT is its
    own consistent read) until `snapshot()` or a SQLAlchemy `execute()` begins a deferred
    transaction. Its first write (an INSERT, UPDATE or DELETE) ends any read and begins an
    IMMEDIATE transaction, so it cannot fail half-way on a snapshot another process has moved
    past; what that write depends on must be re-checked in its own condition (as `mark_read`'s
    `WHERE ... = false` does), and what is read after it is read again under the write lock.
    """

    dialect_name = "sqlite"

    def __init__(self, line: _SqliteLine, *, reading: bool = False) -> None:
        self._line = line
        self._engine = line.engine
        self._connection: Connection | None = None
        self._reading = reading

    async def _begin(self) -> Connection:
        if self._connection is None:
            await self._line.lock.acquire()
            try:
                self._connection = self._line.connection()
                self._connection.info[_READING] = self._reading
                if not self._reading:
                    self._connection.begin()
            except BaseException:
                self._connection = None
                self._line.drop()
                self._line.lock.release()
                raise
        return self._connection

    def _upgrade(self, connection: Connection) -> None:
        """End the read (if one is open) and take the write lock for the rest of the session."""
        if connection.in_transaction():
            connection.commit()
        self._reading = False
        connection.info[_READING] = False
        connection.begin()

    async def snapshot(self) -> bool:
        connection = await self._begin()
        if connection.in_transaction():
            return False
        connection.begin()  # deferred (`_on_begin`): no write lock
        return True

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> AnyResult:
        connection = await self._begin()
        if self._reading and getattr(statement, "is_dml", False):
            self._upgrade(connection)
        return connection.execute(statement, parameters)

    async def rows(
        self, statement: ClauseElement, parameters: Mapping[str, Any]
    ) -> Sequence[Sequence[Any]]:
        connection = await self._begin()
        compiled = _compiled(statement, self._engine.dialect)
        values = compiled.values(parameters)
        # Straight to the sqlite3 cursor: a point read takes microseconds, SQLAlchemy's result
        # machinery several times that. The engine's cursor event still fires, so statement
        # counts (tests, benchmark) see these reads.
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        dispatch = self._engine.dispatch
        if dispatch.before_cursor_execute:
            dispatch.before_cursor_execute(connection, cursor, compiled.sql, values, None, False)
        try:
            return cursor.execute(compiled.sql, values).fetchall()  # type: ignore[no-any-return]
        finally:
            cursor.close()

    async def finish(self, commit: bool) -> None:
        if self._connection is None:
            return
        try:
            if not self._connection.in_transaction():
                pass  # a reading session that read in autocommit
            elif commit:
                self._connection.commit()
            else:
                self._connection.rollback()
        except BaseException:
            self._line.drop()  # a connection whose transaction failed to end is not reused
            raise
        finally:
            self._connection.info[_READING] = False
            self._connection = None
            self._line.lock.release()


class _SqliteLine:
    """A process's one SQLite connection, used by one transaction at a time.

    Statements run inline on the event loop, so two requests of the same process must not
    interleave transactions (the second would block the loop on SQLite's own lock); the asyncio
    lock queues them instead. With one transaction at a time, one long-lived connection serves
    them all and saves a pool checkout per request.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.lock = asyncio.Lock()
        self._connection: Connection | None = None

    def connection(self) -> Connection:
        if self._connection is None or self._connection.closed:
            self._connection = self.engine.connect()
        return self._connection

    def drop(self) -> None:
        if self._connection is not None:
            self._connection.invalidate()
            self._connection = None


class _ReadPool:
    """asyncpg's own pool, for reading sessions' statements: a checkout and one round trip.

    SQLAlchemy's pool costs about three times asyncpg's own per read on this path (bench/
    pg_paths.py prints both). Its connections run only `rows()` SELECTs in autocommit (no SET,
    LISTEN, cursor or advisory lock), so they are handed back without asyncpg's reset (one more
    round trip); asyncpg's statement cache prepares each statement once per connection.
    """

    def __init__(self, url: URL, settings: Settings) -> None:
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._settings = settings
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        self._dsn,
                        min_size=1,
                        max_size=self._settings.db_pool_size,
                        command_timeout=self._settings.db_command_timeout_seconds,
                        reset=_no_reset,
                    )
        return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


async def _no_reset(connection: asyncpg.Connection) -> None:
    """Nothing to reset: a reading connection keeps no session state."""


class _AsyncSession:
    """The same, on an asyncpg connection from the pool.

    A reading session opens no transaction (autocommit): each statement is its own, which saves
    the BEGIN and COMMIT round trips. Its `rows()` go to asyncpg directly (`_ReadPool`); its
    rare `execute()` (a key looked up, a read marker flipped) through SQLAlchemy, in
    autocommit. Its reads then see one snapshot each, so a reader must only ever read what it
    keys by first (a ticket's version before its content: the content is then as new as the
    key, or newer); a write in it commits by itself, so it must be one statement that re-checks
    its own condition (`mark_read`).
    """

    dialect_name = "postgresql"

    def __init__(self, engine: AsyncEngine, read_pool: _ReadPool | None = None) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._read_pool = read_pool
        self._reading = read_pool is not None
        self._driver: asyncpg.Connection | None = None
        self._driver_pool: asyncpg.Pool | None = None

    async def _begin(self) -> AsyncConnection:
        if self._connection is None:
            connection = await self._engine.connect()
            try:
                if self._reading:
                    await connection.execution_options(isolation_level="AUTOCOMMIT")
                else:
                    await connection.begin()
            except BaseException:
                await connection.close()
                raise
            self._connection = connection
        return self._connection

    async def snapshot(self) -> bool:
        return False

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> AnyResult:
        return await (await self._begin()).execute(statement, parameters)

    async def rows(
        self, statement: ClauseElement, parameters: Mapping[str, Any]
    ) -> Sequence[Sequence[Any]]:
        compiled = _compiled(statement, self._engine.dialect)
        values = compiled.values(parameters)
        if self._read_pool is None:
            connection = await self._begin()
            return (await connection.exec_driver_sql(compiled.sql, values)).all()
        if self._driver is None:
            self._driver_pool = await self._read_pool.pool()
            self._driver = await self._driver_pool.acquire()
        dispatch = self._engine.sync_engine.dispatch
        if dispatch.before_cursor_execute:  # statement counts (tests, benchmark) see these too
            dispatch.before_cursor_execute(None, None, compiled.sql, values, None, False)
        return await self._driver.fetch(compiled.sql, *values)  # type: ignore[no-any-return]

    async def finish(self, commit: bool) -> None:
        try:
            if self._driver is not None and self._driver_pool is not None:
                driver, self._driver = self._driver, None
                await self._driver_pool.release(driver)
        finally:
            if self._connection is not None:
                try:
                    if self._reading:
                        pass  # autocommit: nothing is open
                    elif commit:
                        await self._connection.commit()
                    else:
                        await self._connection.rollback()
                finally:
                    await self._connection.close()
                    self._connection = None


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
        # A reading session's transaction is deferred: it upgrades itself before writing.
        reading = connection.info.get(_READING, False)
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


class Database:
    """Owns the engine; hands out one transaction at a time per request."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        url = async_url(settings.database_url)
        self.dialect_name = url.get_backend_name()
        self._sqlite_engine: Engine | None = None
        self._sqlite_line: _SqliteLine | None = None
        self._async_engine: AsyncEngine | None = None
        self._read_pool: _ReadPool | None = None
        if self.dialect_name == "sqlite":
            self._sqlite_engine = create_engine(url, pool_size=1, max_overflow=2)
            _configure_sqlite(self._sqlite_engine, settings.sqlite_busy_timeout_ms)
            self._sqlite_line = _SqliteLine(self._sqlite_engine)
        else:
            self._async_engine = create_async_engine(
                url,
                pool_size=settings.db_pool_size,
                max_overflow=settings.db_pool_size,
                pool_timeout=settings.db_pool_timeout_seconds,
                pool_pre_ping=False,
                connect_args={"command_timeout": settings.db_command_timeout_seconds},
            )
            self._read_pool = _ReadPool(url, settings)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[DbSession]:
        """Commit when the block ends, roll back when it raises."""
        session: _SqliteSession | _AsyncSession
        if self._sqlite_line is not None:
            session = _SqliteSession(self._sqlite_line)
        else:
            assert self._async_engine is not None
            session = _AsyncSession(self._async_engine)
        try:
            yield session
        except BaseException:
            await session.finish(commit=False)
            raise
        await session.finish(commit=True)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[DbSession]:
        """A session for a request that reads and seldom writes (the ticket read): no write lock
        on SQLite until its first write, no transaction on PostgreSQL (see the sessions)."""
        session: _SqliteSession | _AsyncSession
        if self._sqlite_line is not None:
            session = _SqliteSession(self._sqlite_line, reading=True)
        else:
            assert self._async_engine is not None
            session = _AsyncSession(self._async_engine, self._read_pool)
        try:
            yield session
        except BaseException:
            await session.finish(commit=False)
            raise
        await session.finish(commit=True)

    async def ping(self) -> None:
        async with self.transaction() as session:
            await session.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        if self._sqlite_line is not None:
            self._sqlite_line.drop()
        if self._sqlite_engine is not None:
            self._sqlite_engine.dispose()
        if self._read_pool is not None:
            await self._read_pool.close()
        if self._async_engine is not None:
            await self._async_engine.dispose()
