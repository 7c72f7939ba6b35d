"""Every foreseeable failure of every command: one `error:` line on stderr, exit status 1.

Each case runs the real CLI (typer's runner in-process; `serve` as a real process) against a
real database of the test backend: a bad setting, a database that cannot be reached or opened,
one with no schema, one behind or ahead of the code, refused key commands, an unknown ticket,
a port in use. No case shows a traceback, and no line shows a password.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import make_url, text

from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.migrate import alembic_config
from tests import builders
from tests.builders import World
from tests.cli.conftest import Cli, ScratchDatabase, assert_one_line_error
from tests.conftest import backend
from tests.server import free_port
from tests.support import run_in_thread

# Every command that reads or writes the database, with arguments it would accept.
DATABASE_COMMANDS = [
    ["demo"],
    ["keys", "create", "--client", "1", "--scope", "read:support"],
    ["keys", "list"],
    ["keys", "revoke", "1"],
    ["maintenance"],
    ["tickets", "show", "616828"],
]


def _execute(url: str, statement: str) -> None:
    async def run() -> None:
        database = Database(Settings(database_url=url))
        try:
            async with database.transaction() as session:
                await session.execute(text(statement))
        finally:
            await database.dispose()

    run_in_thread(lambda: asyncio.run(run()))


class TestSettings:
    def test_a_database_url_of_another_kind(self, cli: Cli) -> None:
        result = cli("init", SUPPORTDESK_DATABASE_URL="mysql://root:s3cret@db/supportdesk")
        line = assert_one_line_error(result, "invalid setting SUPPORTDESK_DATABASE_URL")
        assert "s3cret" not in line

    def test_every_bad_setting_is_named_on_the_one_line(self, cli: Cli) -> None:
        result = cli(
            "keys",
            "list",
            SUPPORTDESK_TIMEZONE="Mars/Olympus_Mons",
            SUPPORTDESK_REDIS_URL="http://user:s3cret@cache",
        )
        line = assert_one_line_error(result, "SUPPORTDESK_TIMEZONE", "SUPPORTDESK_REDIS_URL")
        assert "s3cret" not in line


class TestUnusableDatabase:
    def test_init_on_an_unreachable_postgresql(self, cli: Cli) -> None:
        url = f"postgresql://postgres:s3cret@127.0.0.1:{free_port()}/supportdesk"  # no listener
        line = assert_one_line_error(
            cli("init", SUPPORTDESK_DATABASE_URL=url), "cannot reach the database"
        )
        assert "s3cret" not in line
        assert "postgres:***@127.0.0.1" in line

    def test_init_on_a_database_that_cannot_be_opened(self, cli: Cli, tmp_path: Path) -> None:
        """SQLite: a file in a directory that does not exist; PostgreSQL: a database the server
        does not have."""
        if backend() == "sqlite":
            url, reason = f"sqlite:///{tmp_path}/missing/supportdesk.db", "unable to open"
        else:
            server = make_url(os.environ["SUPPORTDESK_TEST_POSTGRES_URL"])
            url = server.set(database="sd_no_such_database").render_as_string(hide_password=False)
            reason = "does not exist"
        assert_one_line_error(cli("init", SUPPORTDESK_DATABASE_URL=url), reason)

    @pytest.mark.parametrize("args", DATABASE_COMMANDS, ids=" ".join)
    def test_a_missing_sqlite_file_is_not_created(
        self, cli: Cli, tmp_path: Path, args: list[str]
    ) -> None:
        path = tmp_path / "nothing-here.db"
        result = cli(*args, SUPPORTDESK_DATABASE_URL=f"sqlite:///{path}")
        assert_one_line_error(result, f"no database at {path}", "supportdesk init")
        assert not path.exists()

    @pytest.mark.parametrize("args", DATABASE_COMMANDS, ids=" ".join)
    def test_every_command_on_a_database_with_no_schema(
        self, cli: Cli, scratch_database: ScratchDatabase, args: list[str]
    ) -> None:
        url = scratch_database()
        result = cli(*args, SUPPORTDESK_DATABASE_URL=url)
        assert_one_line_error(result, "no supportdesk schema", "run `supportdesk init`")

    def test_a_database_behind_the_code_asks_for_init_which_mends_it(
        self, cli: Cli, scratch_database: ScratchDatabase
    ) -> None:
        url = scratch_database()
        assert cli("init", SUPPORTDESK_DATABASE_URL=url).exit_code == 0
        run_in_thread(lambda: command.downgrade(alembic_config(url), "-1"))
        assert_one_line_error(
            cli("keys", "list", SUPPORTDESK_DATABASE_URL=url), "run `supportdesk init`"
        )
        assert cli("init", SUPPORTDESK_DATABASE_URL=url).exit_code == 0
        listed = cli("keys", "list", SUPPORTDESK_DATABASE_URL=url)
        assert listed.exit_code == 0, listed.output

    def test_a_database_ahead_of_the_code(
        self, cli: Cli, scratch_database: ScratchDatabase
    ) -> None:
        url = scratch_database()
        assert cli("init", SUPPORTDESK_DATABASE_URL=url).exit_code == 0
        _execute(url, "UPDATE alembic_version SET version_num = '9999_from_the_future'")
        assert_one_line_error(
            cli("keys", "list", SUPPORTDESK_DATABASE_URL=url),
            "9999_from_the_future",
            "does not know",
        )
        assert_one_line_error(
            cli("init", SUPPORTDESK_DATABASE_URL=url), "cannot migrate", "9999_from_the_future"
        )


class TestKeys:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--client", "999999", "--scope", "read:support"], "No such client."),
            (["--client", "99999999999", "--scope", "read:support"], "No such client."),
            (["--staff", "999999", "--scope", "read:support"], "No such staff member."),
            (["--client", "CLIENT", "--scope", "admin"], "Scopes must be among"),
            (["--client", "CLIENT", "--scope", "read:support", "--staff", "STAFF"], "exactly one"),
            (["--scope", "read:support"], "exactly one"),
            (
                ["--client", "CLIENT", "--scope", "read:support", "--expires-in-days", "0"],
                "--expires-in-days must be from 1",
            ),
            (
                ["--client", "CLIENT", "--scope", "read:support", "--expires-in-days", "10**9"],
                "--expires-in-days must be from 1",
            ),
            (
                ["--client", "CLIENT", "--scope", "read:support", "--rate-limit", "2**31"],
                "--rate-limit must be from 1",
            ),
        ],
    )
    def test_create_refused(self, cli: Cli, world: World, args: list[str], message: str) -> None:
        names = {
            "CLIENT": str(world.client_id),
            "STAFF": str(world.staff_id),
            "10**9": str(10**9),
            "2**31": str(2**31),
        }
        result = cli("keys", "create", *(names.get(arg, arg) for arg in args))
        assert_one_line_error(result, message)

    @pytest.mark.parametrize(
        ("key", "message"),
        [
            ("999999", "no such active key"),
            ("9" * 30, "no such active key"),
            ("sd_live_not-a-key", "neither a key id nor a well-formed key"),
        ],
    )
    def test_revoke_refused(self, cli: Cli, world: World, key: str, message: str) -> None:
        assert_one_line_error(cli("keys", "revoke", key), message)

    async def test_revoking_twice(self, cli: Cli, db: Database, world: World) -> None:
        key_id, _ = await builders.api_key(db, client_id=world.client_id)
        assert cli("keys", "revoke", str(key_id)).exit_code == 0
        assert_one_line_error(cli("keys", "revoke", str(key_id)), "no such active key")


class TestTickets:
    def test_show_an_unknown_ticket(self, cli: Cli, world: World) -> None:
        assert_one_line_error(cli("tickets", "show", "616828"), "no ticket with number 616828")


def _serve(env: dict[str, str], port: int) -> subprocess.CompletedProcess[str]:
    """`supportdesk serve` as a real process that is expected to refuse to start."""
    return subprocess.run(
        [sys.executable, "-m", "supportdesk", "serve", "--port", str(port)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class TestServe:
    def test_a_port_in_use(self, cli_env: dict[str, str], db: Database) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = int(taken.getsockname()[1])
            finished = _serve(cli_env, port)
        assert finished.returncode == 1, finished.stderr
        assert finished.stdout == ""
        assert finished.stderr.splitlines() == [
            f"error: cannot listen on 127.0.0.1:{port}: Address already in use"
        ]

    def test_a_database_with_no_schema(
        self, cli_env: dict[str, str], scratch_database: ScratchDatabase
    ) -> None:
        env = {**cli_env, "SUPPORTDESK_DATABASE_URL": scratch_database()}
        finished = _serve(env, free_port())
        assert finished.returncode == 1, finished.stderr
        assert finished.stderr.splitlines() == [
            "error: the database has no supportdesk schema: run `supportdesk init` to create it"
        ]

    def test_a_bad_setting(self, cli_env: dict[str, str]) -> None:
        env = {**cli_env, "SUPPORTDESK_RATE_LIMIT_STORAGE_URL": "memcached://cache:11211"}
        finished = _serve(env, free_port())
        assert finished.returncode == 1, finished.stderr
        lines = finished.stderr.splitlines()
        assert len(lines) == 1, finished.stderr
        assert lines[0].startswith("error: invalid setting SUPPORTDESK_RATE_LIMIT_STORAGE_URL")
