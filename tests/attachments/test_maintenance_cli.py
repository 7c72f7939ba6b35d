"""`supportdesk maintenance`: stale uploads and unreferenced files go; nothing else does."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner, Result

from supportdesk.attachments import service
from supportdesk.attachments.storage import FileStore
from supportdesk.cli.main import app as cli
from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings, get_settings
from supportdesk.core.db import Database
from supportdesk.tickets.models import Attachment
from tests.attachments.conftest import LOG, Tickets, client_actor, stored_attachment
from tests.builders import World
from tests.support import run_in_thread

Run = Callable[..., Result]


@pytest.fixture
def run(database_url: str, settings: Settings) -> Iterator[Run]:
    """Invoke the CLI on the test database and files (in a thread: it runs its own loop)."""
    runner = CliRunner()
    get_settings.cache_clear()
    env = {"SUPPORTDESK_DATABASE_URL": database_url, "SUPPORTDESK_DATA_DIR": str(settings.data_dir)}

    def invoke(*args: str) -> Result:
        return run_in_thread(lambda: runner.invoke(cli, list(args), env=env))

    yield invoke
    get_settings.cache_clear()


def make_old(path: os.PathLike[str]) -> None:
    moment = time.time() - 2 * 86400
    os.utime(path, (moment, moment))


async def test_maintenance_purges_stale_uploads_and_orphaned_files(
    run: Run, db: Database, world: World, settings: Settings, files: FileStore, tickets: Tickets
) -> None:
    attached = await stored_attachment(db, files, tickets.mine.id)
    async with db.transaction() as session:
        fresh = await service.upload(
            session,
            client_actor(world.client_id),
            filename="fresh.txt",
            data=b"fresh\n",
            ticket_ref=None,
            settings=settings,
        )
        stale = await service.upload(
            session,
            client_actor(world.client_id),
            filename="stale.txt",
            data=b"stale\n",
            ticket_ref=None,
            settings=settings,
        )
        await session.execute(
            update(Attachment)
            .where(Attachment.upload_id == stale.upload_id)
            .values(uploaded_at=utcnow() - timedelta(hours=25))
        )
    orphan = files.store(b"no row names me\n")
    for digest in files.stored_before(time.time() + 60):
        make_old(files.path_for(digest))

    first = run("maintenance")
    assert first.exit_code == 0, first.output
    assert first.stdout == "removed 1 stale uploads and 1 unreferenced files\n"
    assert not files.path_for(orphan).exists()

    second = run("maintenance")
    assert second.stdout == "removed 0 stale uploads and 1 unreferenced files\n"
    third = run("maintenance")
    assert third.stdout == "removed 0 stale uploads and 0 unreferenced files\n"

    async with db.transaction() as session:
        left = set((await session.execute(select(Attachment.upload_id))).scalars())
        attached_upload = (
            await session.execute(select(Attachment.upload_id).where(Attachment.id == attached.id))
        ).scalar_one()
    assert left == {attached_upload, fresh.upload_id}
    assert len(files.stored_before(time.time() + 60)) == 2  # the attached file and the fresh one
    assert LOG in {files.path_for(d).read_bytes() for d in files.stored_before(time.time() + 60)}
