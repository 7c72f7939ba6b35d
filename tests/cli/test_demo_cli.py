"""`supportdesk demo`: loads once, stores its files as uploads are stored, and refuses a
database that holds other data it would collide with, writing nothing."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import orjson
from bench.generate import generate
from sqlalchemy import func, select

from supportdesk.attachments.storage import TEMP_PREFIX, FileStore
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.demo.data import MARKER_USERNAME
from supportdesk.models import Attachment, Department, Staff, Ticket
from tests.cli.conftest import Cli, ScratchDatabase, assert_one_line_error
from tests.support import run_in_thread


def _counts(url: str) -> dict[str, int]:
    async def run() -> dict[str, int]:
        database = Database(Settings(database_url=url))
        try:
            async with database.transaction() as session:
                counted = {}
                for name, model in (("departments", Department), ("tickets", Ticket)):
                    statement = select(func.count()).select_from(model)
                    counted[name] = int((await session.execute(statement)).scalar_one())
                marker = select(func.count()).where(Staff.username == MARKER_USERNAME)
                counted["demo staff"] = int((await session.execute(marker)).scalar_one())
                return counted
        finally:
            await database.dispose()

    return run_in_thread(lambda: asyncio.run(run()))


async def test_the_demo_loads_once_and_stores_its_files_through_the_file_store(
    cli: Cli, db: Database, tmp_path: Path
) -> None:
    first = cli("demo", "--json")
    assert first.exit_code == 0, first.output
    again = cli("demo", "--json")
    assert again.exit_code == 0, again.output
    assert orjson.loads(again.stdout) == orjson.loads(first.stdout), "idempotent"
    files = FileStore(tmp_path / "data" / "files")
    async with db.transaction() as session:
        stored = (await session.execute(select(Attachment.sha256, Attachment.byte_length))).all()
    assert stored, "the demo has attachments"
    for digest, length in stored:
        data = files.path_for(digest).read_bytes()
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (digest, length)
    leftovers = [p for p in files.root.rglob("*") if p.is_file() and p.name.startswith(TEMP_PREFIX)]
    assert leftovers == []
    assert all(not p.name.endswith(".partial") for p in files.root.rglob("*"))


def test_the_demo_refuses_a_database_bench_generate_filled(
    cli: Cli, scratch_database: ScratchDatabase, tmp_path: Path
) -> None:
    url = scratch_database()
    run_in_thread(lambda: generate(url, tickets=20))
    before = _counts(url)
    result = cli("demo", SUPPORTDESK_DATABASE_URL=url)
    assert_one_line_error(result, "would collide", "department slugs", "technical-support")
    assert _counts(url) == before, "nothing written"
    assert before["demo staff"] == 0
    assert not (tmp_path / "data" / "files").exists(), "no file written either"


def test_the_demo_with_a_data_directory_that_is_a_file(
    cli: Cli, scratch_database: ScratchDatabase, tmp_path: Path
) -> None:
    url = scratch_database()
    assert cli("init", SUPPORTDESK_DATABASE_URL=url).exit_code == 0
    not_a_directory = tmp_path / "data-is-a-file"
    not_a_directory.write_text("")
    result = cli("demo", SUPPORTDESK_DATABASE_URL=url, SUPPORTDESK_DATA_DIR=str(not_a_directory))
    assert_one_line_error(result, str(not_a_directory))
    assert _counts(url) == {"departments": 0, "tickets": 0, "demo staff": 0}, "rolled back"
