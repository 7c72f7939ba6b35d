"""Fixtures for the whole suite: one migrated database per session, a clean state per test.

Backends, chosen by environment variables:

- `SUPPORTDESK_TEST_BACKEND=sqlite` (default): a temporary SQLite file.
- `SUPPORTDESK_TEST_BACKEND=postgres`: a database `sd_test_<pid>` created through
  `SUPPORTDESK_TEST_POSTGRES_URL` (which must name a reachable server) and dropped at the end.
- `SUPPORTDESK_TEST_REDIS_URL`, when set, is the rate-limit storage instead of `memory://`.

A backend that was asked for and cannot be reached stops the run: it is never skipped.
Each test that builds an app (directly or through `app`, `db`, `api`, `world`) starts from
empty tables (the built-in statuses kept) and forgotten rate-limit counters.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis
from fastapi import FastAPI
from sqlalchemy import delete, make_url, text, update
from typer.testing import CliRunner, Result

from supportdesk.api.deps import state_of
from supportdesk.app import create_app
from supportdesk.cli.main import app as cli
from supportdesk.core.config import Settings, get_settings
from supportdesk.core.db import Database
from supportdesk.core.migrate import upgrade
from supportdesk.core.ratelimit import RateLimiter
from supportdesk.models import Base, RenderGeneration, Status
from tests import builders
from tests.support import AppFactory, client_for, close_limiter, run_in_thread

BACKEND_ENV = "SUPPORTDESK_TEST_BACKEND"
POSTGRES_ENV = "SUPPORTDESK_TEST_POSTGRES_URL"
REDIS_ENV = "SUPPORTDESK_TEST_REDIS_URL"
PREFIX_ENV = "SUPPORTDESK_RATE_LIMIT_KEY_PREFIX"
BACKENDS = ("sqlite", "postgres")


def backend() -> str:
    return os.environ.get(BACKEND_ENV, "sqlite").strip().lower() or "sqlite"


def pytest_configure(config: pytest.Config) -> None:
    os.environ[PREFIX_ENV] = f"sdtest-{os.getpid()}"
    # Apps and servers the suite starts run no jobs unless a test asks (tests/jobs): a job
    # changing tickets under a test that did not expect it would make its outcome timing's.
    os.environ.setdefault("SUPPORTDESK_JOBS_ENABLED", "false")
    if backend() not in BACKENDS:
        raise pytest.UsageError(f"{BACKEND_ENV} must be one of {', '.join(BACKENDS)}")
    if backend() == "postgres" and not os.environ.get(POSTGRES_ENV):
        raise pytest.UsageError(
            f"{BACKEND_ENV}=postgres needs {POSTGRES_ENV}, "
            "e.g. postgresql://postgres@127.0.0.1:5432/test"
        )


def pytest_report_header(config: pytest.Config) -> list[str]:
    from tests.test_seed_copy import seed_comparison

    storage = "redis" if os.environ.get(REDIS_ENV) else "memory"
    return [
        f"supportdesk: backend={backend()}, rate-limit storage={storage}",
        f"seed page (tests/data): {seed_comparison()}",
    ]


# --- the database, once per session ----------------------------------------------------------


def _asyncpg_dsn(url: str) -> str:
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(dsn: str, *statements: str) -> None:
    try:
        connection = await asyncpg.connect(dsn, timeout=5)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        pytest.exit(
            f"{BACKEND_ENV}=postgres but {POSTGRES_ENV} ({make_url(dsn)!r}) cannot be used "
            f"(unreachable, or no right to create databases): {exc!r}",
            returncode=3,
        )
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def _memory_backed_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where the session's SQLite file lives: in /dev/shm when the machine has it (a tmpfs, so
    the `synchronous=FULL` fsync of each of the suite's commits costs nothing; the tests kill
    processes, never the machine, so nothing they assert depends on the disk), else in the
    session's temporary directory."""
    shm = Path("/dev/shm")  # noqa: S108 (a private mkdtemp directory is made in it)
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path_factory.mktemp("db")
        return
    directory = Path(tempfile.mkdtemp(prefix=f"supportdesk-test-{os.getpid()}-", dir=shm))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly migrated database for this session (autouse: an unreachable backend stops
    the run even when only tests that need no database were selected)."""
    if backend() == "sqlite":
        with _memory_backed_directory(tmp_path_factory) as directory:
            url = f"sqlite:///{directory / 'supportdesk.db'}"
            run_in_thread(lambda: upgrade(url))
            yield url
        return
    admin = _asyncpg_dsn(os.environ[POSTGRES_ENV])
    name = f"sd_test_{os.getpid()}"
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    # A commit returns before the server flushes its WAL to disk (the database's own setting,
    # for this scratch database only): the tests kill app processes, never PostgreSQL, so what
    # a commit acknowledged is there all the same; each of the suite's ~30,000 commits stops
    # waiting for an fsync.
    asynchronous = f'ALTER DATABASE "{name}" SET synchronous_commit = off'
    run_in_thread(
        lambda: asyncio.run(_admin(admin, drop, f'CREATE DATABASE "{name}"', asynchronous))
    )
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        run_in_thread(lambda: upgrade(url))
        yield url
    finally:
        run_in_thread(lambda: asyncio.run(_admin(admin, drop)))


@pytest.fixture(scope="session")
def rate_limit_prefix() -> str:
    """This session's own key space in Redis: sessions sharing one Redis database (the other
    backend's leg, parallel workers) neither count in nor `reset` each other's windows. Also in
    the environment (`pytest_configure`), so that settings a test builds itself and every
    server process it starts count there too."""
    return os.environ[PREFIX_ENV]


@pytest.fixture(scope="session", autouse=True)
def rate_limit_url() -> str:
    """`memory://`, or the Redis of `SUPPORTDESK_TEST_REDIS_URL` (which must answer)."""
    url = os.environ.get(REDIS_ENV)
    if not url:
        return "memory://"
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.exit(f"{REDIS_ENV} ({url}) is unreachable: {exc!r}", returncode=3)
    finally:
        client.close()
    return url


@pytest.fixture(scope="session")
async def _housekeeping(
    database_url: str, rate_limit_url: str, rate_limit_prefix: str
) -> AsyncIterator[tuple[Database, RateLimiter]]:
    settings = Settings(database_url=database_url, rate_limit_storage_url=rate_limit_url)
    database = Database(settings)
    limiter = RateLimiter(
        settings.limits_storage_url, auth_failures_per_minute=1, key_prefix=rate_limit_prefix
    )
    yield database, limiter
    await database.dispose()
    await limiter.reset()  # the session's windows go with it
    await close_limiter(limiter)


# The migrations' own rows stay: the built-in statuses, and the one render generation row.
_KEPT = ("statuses", "render_generation")
_TABLES = [table for table in reversed(Base.metadata.sorted_tables) if table.name not in _KEPT]
# The built-in statuses as the migrations leave them (a test may recolour one): name, colour,
# auto-close, pauses the SLA clock.
_BUILTIN_STATUSES = [
    ("Open", "8bc34a", False, False),
    ("Answered", "2196f3", True, False),
    ("Client-Reply", "ff9800", False, False),
    ("In-Progress", "9c27b0", False, False),
    ("On-Hold", "607d8b", False, True),
    ("Closed", "000000", False, False),
]


@pytest.fixture(scope="session")
async def _sequences(_housekeeping: tuple[Database, RateLimiter]) -> list[str]:
    """The PostgreSQL sequences behind the emptied tables' ids (serial and identity columns)."""
    database, _ = _housekeeping
    if database.dialect_name != "postgresql":
        return []
    async with database.transaction() as session:
        rows = await session.execute(
            text(
                "SELECT DISTINCT quote_ident(n.nspname) || '.' || quote_ident(s.relname)"
                " FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace"
                " JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')"
                " JOIN pg_class t ON t.oid = d.refobjid"
                " WHERE s.relkind = 'S' AND t.relname = ANY(:names) ORDER BY 1"
            ),
            {"names": [table.name for table in _TABLES]},
        )
        return [str(name) for (name,) in rows]


@pytest.fixture
async def clean_state(_housekeeping: tuple[Database, RateLimiter], _sequences: list[str]) -> None:
    """Empty every table but the built-in statuses, and forget every rate-limit counter."""
    database, limiter = _housekeeping
    async with database.transaction() as session:
        # DELETE, children first, on both backends: on PostgreSQL a TRUNCATE of the ~20 tables
        # makes new files for each of them, about 200 ms a test against a few for a DELETE of
        # the handful of rows a test leaves. The ids start again at 1, as TRUNCATE's RESTART
        # IDENTITY made them.
        for table in _TABLES:
            await session.execute(delete(table))
        if _sequences:
            resets = ", ".join(f"setval('{name}', 1, false)" for name in _sequences)
            await session.execute(text(f"SELECT {resets}"))
        await session.execute(delete(Status).where(Status.builtin.is_(False)))
        for name, color, auto_close, pauses_sla in _BUILTIN_STATUSES:
            await session.execute(
                update(Status)
                .where(Status.name == name)
                .values(color=color, auto_close=auto_close, pauses_sla=pauses_sla)
            )
        await session.execute(update(RenderGeneration).values(value=0))
    await limiter.reset()


# --- the app, once per test -------------------------------------------------------------------


@pytest.fixture
def settings_for(
    clean_state: None,
    database_url: str,
    rate_limit_url: str,
    rate_limit_prefix: str,
    tmp_path: Path,
) -> Callable[..., Settings]:
    """Settings for the test database, emptied for this test; keys are not cached unless a
    test asks for it."""

    def make(**overrides: Any) -> Settings:
        options: dict[str, Any] = {
            "database_url": database_url,
            "rate_limit_storage_url": rate_limit_url,
            "rate_limit_key_prefix": rate_limit_prefix,
            "data_dir": tmp_path / "data",
            "key_cache_seconds": 0,
            **overrides,
        }
        return Settings(**options)

    return make


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Settings every app of a test gets; a module overrides this fixture to run its tests
    under other settings (the v1 detail tests run with and without the read lane)."""
    return {}


@pytest.fixture
async def make_app(
    settings_for: Callable[..., Settings], app_settings: dict[str, Any]
) -> AsyncIterator[AppFactory]:
    """`make_app(**settings)`: an app on the test database; disposed after the test."""
    apps: list[FastAPI] = []

    def make(**overrides: Any) -> FastAPI:
        app = create_app(settings_for(**{**app_settings, **overrides}))
        apps.append(app)
        return app

    yield make
    for app in apps:
        await state_of(app).db.dispose()
        await close_limiter(state_of(app).limiter)


@pytest.fixture
def app(make_app: AppFactory) -> FastAPI:
    return make_app()


@pytest.fixture
def db(app: FastAPI) -> Database:
    database = state_of(app).db
    return database


@pytest.fixture
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as client:
        yield client


@pytest.fixture
async def world(db: Database) -> builders.World:
    return await builders.world(db)


# --- the command line ------------------------------------------------------------------------

Run = Callable[..., Result]


@pytest.fixture
def run(database_url: str) -> Iterator[Run]:
    """Invoke the CLI on the test database (in a thread: it runs its own event loop)."""
    runner = CliRunner()
    get_settings.cache_clear()

    def invoke(*args: str) -> Result:
        return run_in_thread(
            lambda: runner.invoke(cli, list(args), env={"SUPPORTDESK_DATABASE_URL": database_url})
        )

    yield invoke
    get_settings.cache_clear()


# --- the real server process ------------------------------------------------------------------


@pytest.fixture
def server_env(
    clean_state: None,
    database_url: str,
    rate_limit_url: str,
    rate_limit_prefix: str,
    tmp_path: Path,
) -> dict[str, str]:
    """The environment for a `supportdesk serve` process on this test's clean database (and
    this session's rate-limit key space)."""
    return {
        "SUPPORTDESK_DATABASE_URL": database_url,
        "SUPPORTDESK_RATE_LIMIT_STORAGE_URL": rate_limit_url,
        "SUPPORTDESK_RATE_LIMIT_KEY_PREFIX": rate_limit_prefix,
        "SUPPORTDESK_DATA_DIR": str(tmp_path / "data"),
        "SUPPORTDESK_KEY_CACHE_SECONDS": "1",
        "SUPPORTDESK_LOG_LEVEL": "WARNING",
    }
