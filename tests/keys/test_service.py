"""Issuing keys, keeping only their digests, the authenticator's cache and `last_used_at`."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from supportdesk.api.deps import state_of
from supportdesk.core.db import Database
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.keys.models import ApiKey
from supportdesk.keys.service import create_key
from tests import builders
from tests.builders import World
from tests.support import AppFactory, client_for, recorded_statements


async def key_rows(db: Database) -> list[dict[str, Any]]:
    async with db.transaction() as session:
        return [dict(row) for row in (await session.execute(select(ApiKey))).mappings()]


def sqlite_files(database_url: str) -> list[Path]:
    path = Path(database_url.removeprefix("sqlite:///"))
    return [file for file in (path, Path(f"{path}-wal")) if file.exists()]


async def test_only_the_digest_is_stored(db: Database, world: World, database_url: str) -> None:
    key_id, key = await builders.api_key(
        db, staff_id=world.staff_id, scopes=["write:support", "read:support"]
    )
    rows = {row["id"]: row for row in await key_rows(db)}
    row = rows[key_id]
    assert row["digest"] == hashlib.sha256(key.encode()).digest()
    assert row["hint"] == key[:14]
    assert row["scopes"] == "read:support write:support"
    assert (row["client_id"], row["staff_id"]) == (None, world.staff_id)
    assert row["created_at"].tzinfo is not None
    assert row["expires_at"] is row["revoked_at"] is row["last_used_at"] is None

    every_key = [key, world.client_key, world.staff_key, world.other_client_key]
    for stored in rows.values():
        for value in stored.values():
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            for plain in every_key:
                assert plain not in text
                assert plain[14:] not in text
    if database_url.startswith("sqlite"):
        # The database file and its write-ahead log, as they are on disk. Read by another
        # process: closing a descriptor on a SQLite file in this one would drop this process's
        # SQLite locks on it (POSIX advisory locks are per process).
        files = [str(file) for file in sqlite_files(database_url)]
        content = subprocess.run(  # noqa: ASYNC221 - a one-off read in a test
            ["cat", *files], capture_output=True, check=True
        ).stdout
        assert hashlib.sha256(key.encode()).digest() in content, "the scan sees the key rows"
        for plain in every_key:
            assert plain.encode() not in content
            assert plain[14:].encode() not in content


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"client_id": None, "staff_id": None}, ValidationFailed),
        ({"client_id": "client", "staff_id": "staff"}, ValidationFailed),
        ({"scopes": []}, ValidationFailed),
        ({"scopes": ["read:support", "admin"]}, ValidationFailed),
        ({"expires_in_days": 0}, ValidationFailed),
        ({"rate_limit_per_minute": 0}, ValidationFailed),
        ({"client_id": 999_999}, NotFound),
        ({"client_id": None, "staff_id": 999_999}, NotFound),
    ],
)
async def test_create_key_refuses_bad_requests(
    db: Database, world: World, options: dict[str, Any], error: type[Exception]
) -> None:
    arguments: dict[str, Any] = {
        "client_id": world.client_id,
        "staff_id": None,
        "scopes": ["read:support"],
        **options,
    }
    if arguments["client_id"] == "client":
        arguments["client_id"] = world.client_id
    if arguments["staff_id"] == "staff":
        arguments["staff_id"] = world.staff_id
    before = len(await key_rows(db))
    with pytest.raises(error):
        async with db.transaction() as session:
            await create_key(session, **arguments)
    assert len(await key_rows(db)) == before


async def test_expiry_and_rate_limit_are_stored(db: Database, world: World) -> None:
    key_id, _ = await builders.api_key(
        db, client_id=world.client_id, expires_in_days=30, rate_limit_per_minute=7
    )
    row = next(row for row in await key_rows(db) if row["id"] == key_id)
    assert row["rate_limit_per_minute"] == 7
    assert 29.9 < (row["expires_at"] - row["created_at"]).total_seconds() / 86400 < 30.1


async def test_last_use_is_written_once_not_on_every_request(make_app: AppFactory) -> None:
    app = make_app(key_cache_seconds=60)
    db = state_of(app).db
    world = await builders.world(db)
    await builders.ticket(db, number=616828, dept_id=world.dept_id, client_id=world.client_id)
    key_id, key = await builders.api_key(db, client_id=world.client_id)
    async with client_for(app) as api:
        with recorded_statements(app) as statements:
            for _ in range(3):
                response = await api.get("/api/support/tickets/616828", headers={"X-API-Key": key})
                assert response.status_code == 200
    writes = [s for s in statements if s.lstrip().upper().startswith("UPDATE API_KEYS")]
    assert len(writes) == 1
    row = next(row for row in await key_rows(db) if row["id"] == key_id)
    assert row["last_used_at"] is not None
    assert (datetime.now(UTC) - row["last_used_at"]).total_seconds() < 60


async def test_the_key_cache_holds_a_revoked_key_only_for_its_ttl(make_app: AppFactory) -> None:
    ttl = 0.5
    app = make_app(key_cache_seconds=ttl)
    db = state_of(app).db
    world = await builders.world(db)
    await builders.ticket(db, number=616828, dept_id=world.dept_id, client_id=world.client_id)
    key_id, key = await builders.api_key(db, client_id=world.client_id)
    async with client_for(app) as api:

        async def status() -> int:
            response = await api.get("/api/support/tickets/616828", headers={"X-API-Key": key})
            return response.status_code

        assert await status() == 200
        await builders.update_key(db, key_id, revoked_at=datetime.now(UTC))
        with recorded_statements(app) as statements:
            assert await status() == 200, "within the TTL the cached record answers"
        assert not any("api_keys" in statement for statement in statements)
        await asyncio.sleep(ttl + 0.1)
        assert await status() == 401
