"""The real CLI, invoked in-process (typer's runner) on a database of the test's choosing."""

from __future__ import annotations

import asyncio
import itertools
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url
from typer.testing import CliRunner, Result

from supportdesk.cli.main import app
from supportdesk.core.config import get_settings
from tests.conftest import POSTGRES_ENV, Run, _admin, _asyncpg_dsn, backend

__all__ = ["Run"]
from tests.support import run_in_thread

Cli = Callable[..., Result]
ScratchDatabase = Callable[[], str]
_numbers = itertools.count(1)


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The environment a command runs in: the test database, this test's data directory."""
    return {
        "SUPPORTDESK_DATABASE_URL": database_url,
        "SUPPORTDESK_DATA_DIR": str(tmp_path / "data"),
    }


@pytest.fixture
def cli(cli_env: dict[str, str]) -> Cli:
    """`cli(*args, **env)`: run `supportdesk *args` with `env` over `cli_env` (in a thread: a
    command runs its own event loop). Settings are read afresh for each run."""
    runner = CliRunner()

    def invoke(*args: str, **env: str) -> Result:
        def run() -> Result:
            get_settings.cache_clear()
            try:
                return runner.invoke(app, list(args), env={**cli_env, **env})
            finally:
                get_settings.cache_clear()

        return run_in_thread(run)

    return invoke


@pytest.fixture
def scratch_database(tmp_path: Path) -> Iterator[ScratchDatabase]:
    """`scratch_database()`: the URL of a new, empty database on the test backend (an SQLite
    file with no tables, or a PostgreSQL database), dropped after the test."""
    made: list[str] = []
    admin = _asyncpg_dsn(os.environ[POSTGRES_ENV]) if backend() == "postgres" else ""

    def make() -> str:
        number = next(_numbers)
        if backend() == "sqlite":
            path = tmp_path / f"scratch-{number}.db"
            sqlite3.connect(path).close()
            return f"sqlite:///{path}"
        name = f"sd_test_{os.getpid()}_scratch_{number}"
        run_in_thread(lambda: asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"')))
        made.append(name)
        return make_url(admin).set(database=name).render_as_string(hide_password=False)

    yield make
    drops = [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in made]
    if drops:
        run_in_thread(lambda: asyncio.run(_admin(admin, *drops)))


def assert_one_line_error(result: Result, *fragments: str) -> str:
    """Exit status 1, nothing on stdout, one `error: ...` line on stderr naming `fragments`."""
    lines = result.stderr.splitlines()
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    # The runner catches what a command raises: anything but its exit is an escaped failure.
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.stdout == "", result.stdout
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]
