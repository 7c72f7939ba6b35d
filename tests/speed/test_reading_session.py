"""A read takes no write lock: on SQLite it begins deferred and upgrades only to flip a read
marker (re-checked under the lock); on PostgreSQL it opens no transaction."""

from __future__ import annotations

import sqlite3

import httpx
import pytest
from sqlalchemy import make_url

from supportdesk.api.deps import state_of
from supportdesk.core.actor import Actor
from supportdesk.core.db import Database
from supportdesk.tickets import repository
from tests import builders
from tests.support import AppFactory, client_for


def _sqlite_path(db: Database) -> str:
    if db.dialect_name != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL reads take none (test_statements_per_read)")
    database = make_url(db.settings.database_url).database
    assert database is not None
    return database


async def test_a_cached_read_is_answered_while_another_process_holds_the_write_lock(
    make_app: AppFactory,
) -> None:
    # A busy timeout far shorter than the test: a read that wanted the write lock would fail.
    app = make_app(sqlite_busy_timeout_ms=50)
    db = state_of(app).db
    path = _sqlite_path(db)
    world = await builders.world(db)
    opened = await builders.ticket(
        db, number=616828, dept_id=world.dept_id, client_id=world.client_id
    )
    url, headers = f"/api/support/tickets/{opened.number}", {"X-API-Key": world.client_key}
    async with client_for(app) as api:
        first: httpx.Response = await api.get(url, headers=headers)
        assert first.status_code == 200
        writer = sqlite3.connect(path, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")  # another process, in the middle of a write
            for _ in range(3):
                again = await api.get(url, headers=headers)
                assert again.status_code == 200, again.text
                assert again.headers["etag"] == first.headers["etag"]
            v2 = await api.get(f"/api/v2/support/tickets/{opened.number}", headers=headers)
            assert v2.status_code == 200, v2.text
        finally:
            writer.rollback()
            writer.close()


async def test_a_marker_flip_after_another_process_wrote_upgrades_instead_of_failing(
    make_app: AppFactory,
) -> None:
    """The read began before another process committed: writing in that read would fail at
    once (SQLite cannot move a deferred read past a newer commit); the session ends the read and
    takes the write lock instead, and the marker's own condition re-checks it there."""
    app = make_app()
    db = state_of(app).db
    path = _sqlite_path(db)
    world = await builders.world(db)
    opened = await builders.ticket(
        db, number=616828, dept_id=world.dept_id, client_id=world.client_id, client_read=False
    )
    actor = Actor.client(world.client_id, "api_v1")
    async with db.reading() as session:
        assert await session.snapshot()  # a read of several statements, as a build's
        found = await repository.find_visible_version(session, actor, opened.number)
        assert found is not None
        assert not found.read_by_viewer
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("UPDATE tickets SET subject = 'Changed meanwhile' WHERE id = ?", (found.id,))
        writer.close()
        assert await repository.mark_read(session, found.id, "client")
        assert not await repository.mark_read(session, found.id, "client")  # re-checked: done
        after = await repository.find_visible_version(session, actor, opened.number)
        assert after is not None
        assert after.read_by_viewer
        assert after.version == found.version + 1
        ticket = await repository.get_visible_ticket(session, actor, opened.number)
        assert ticket is not None
        assert ticket.subject == "Changed meanwhile"  # read again, under the write lock
