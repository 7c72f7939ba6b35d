"""Downloads in both generations: `Range` answered per RFC 9110 or in the door's error shape,
and nothing in a download or an upload tells a tenant that another stored the same bytes."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

import httpx
import pytest
from sqlalchemy import update

from supportdesk.attachments.storage import FileStore
from supportdesk.core.db import Database
from supportdesk.tickets.models import Attachment
from tests.api.assertions import assert_error
from tests.api.v2.assertions import assert_problem, key
from tests.attachments.conftest import (
    LOG,
    NUMBER,
    OTHER_NUMBER,
    StoredFile,
    Tickets,
    stored_attachment,
)
from tests.builders import World
from tests.conversation_builders import write_key

SIZE = len(LOG)
FIRST_UPLOAD = datetime(2026, 1, 5, 8, 0, 0, tzinfo=UTC)
SECOND_UPLOAD = datetime(2026, 6, 7, 9, 30, 0, tzinfo=UTC)
FILE_TIME = datetime(2020, 2, 2, 2, 2, 2, tzinfo=UTC).timestamp()


def v1_url(attachment_id: int, number: int = NUMBER) -> str:
    return f"/api/support/tickets/{number}/attachments/{attachment_id}"


def v2_url(public_id: str, number: int = NUMBER) -> str:
    return f"/api/v2/support/attachments/{public_id}?ticketId={number}"


@pytest.fixture(params=["v1", "v2"])
def generation(request: pytest.FixtureRequest) -> str:
    return str(request.param)


Download = Callable[..., Awaitable[httpx.Response]]


@pytest.fixture
async def download(
    api: httpx.AsyncClient,
    db: Database,
    world: World,
    tickets: Tickets,
    files: FileStore,
    generation: str,
) -> Download:
    """`download(**headers)`: the client's GET of one attachment (LOG) on its own ticket."""
    stored = await stored_attachment(db, files, tickets.mine.id)
    path = v1_url(stored.id) if generation == "v1" else v2_url(stored.public_id)

    async def get(**headers: str | bytes) -> httpx.Response:
        sent: dict[str, str | bytes] = {**key(world.client_key), **headers}
        return await api.get(path, headers=[(k.encode(), _raw(v)) for k, v in sent.items()])

    return get


def _raw(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("latin-1")


def assert_door_error(response: httpx.Response, generation: str, status: int, code: str) -> None:
    if generation == "v1":
        assert_error(response, status, code.upper())
    else:
        assert_problem(response, status, code)


class TestRange:
    @pytest.mark.parametrize(
        ("spec", "part"),
        [
            ("bytes=0-4", LOG[:5]),
            ("bytes=-5", LOG[-5:]),
            ("bytes=10-", LOG[10:]),
            ("BYTES=0-4", LOG[:5]),
            ("bytes=5-1000000", LOG[5:]),
        ],
    )
    async def test_a_satisfiable_range_is_206(
        self, download: Download, spec: str, part: bytes
    ) -> None:
        response = await download(Range=spec)
        assert response.status_code == 206, response.text
        assert response.content == part
        start = LOG.index(part) if spec != "bytes=-5" else SIZE - 5
        assert response.headers["content-range"] == f"bytes {start}-{start + len(part) - 1}/{SIZE}"

    @pytest.mark.parametrize(
        "spec",
        [
            "bytes=zz",
            "items=0-4",
            "bytes=5-2",
            "bytes",
            "bytes=",
            "bytes=,",
            "bytes=0-4;x",
            "bytes=--1",
            "bytes=1-2-3",
            "bytes=0x10-",
            b"bytes=\xb9-\xb2",  # superscript digits, as Latin-1
            "bytes=" + "0-0," * 101,
            "bytes=99999999999999999999-",
            # Several ranges: this server sends one range or the whole file (RFC 9110 14.2).
            "bytes=0-4, 1000-2000",
            "bytes=1000-2000, 5000-",
        ],
    )
    async def test_a_range_this_server_cannot_read_is_ignored(
        self, download: Download, spec: str | bytes
    ) -> None:
        """RFC 9110 14.2: a server may ignore a Range it cannot read; the whole file is sent."""
        response = await download(Range=spec)
        assert response.status_code == 200, response.text
        assert response.content == LOG
        assert "content-range" not in response.headers

    @pytest.mark.parametrize("spec", ["bytes=1000-", f"bytes={SIZE}-", "bytes=-0"])
    async def test_a_readable_range_outside_the_file_is_416_in_the_doors_shape(
        self, download: Download, generation: str, spec: str
    ) -> None:
        response = await download(Range=spec)
        assert_door_error(response, generation, 416, "range_not_satisfiable")
        assert response.headers["content-range"] == f"bytes */{SIZE}"

    async def test_if_range_with_the_current_validator_gets_the_range(
        self, download: Download
    ) -> None:
        tag = (await download()).headers["etag"]
        assert (await download(Range="bytes=0-4", **{"If-Range": tag})).status_code == 206
        stale = await download(Range="bytes=0-4", **{"If-Range": '"tatt_old"'})
        assert (stale.status_code, stale.content) == (200, LOG)


class TestNothingTellsOfAnotherTenantsCopy:
    async def test_validators_come_from_each_attachment_row_not_the_shared_file(
        self,
        api: httpx.AsyncClient,
        db: Database,
        world: World,
        tickets: Tickets,
        files: FileStore,
        generation: str,
    ) -> None:
        mine = await stored_attachment(db, files, tickets.mine.id)
        theirs = await stored_attachment(db, files, tickets.theirs.id)
        async with db.transaction() as session:
            for stored, moment in ((mine, FIRST_UPLOAD), (theirs, SECOND_UPLOAD)):
                await session.execute(
                    update(Attachment).where(Attachment.id == stored.id).values(uploaded_at=moment)
                )
        shared = files.path_for(files.store(LOG))
        os.utime(shared, (FILE_TIME, FILE_TIME))

        async def fetch(stored: StoredFile, number: int, api_key: str) -> httpx.Response:
            path = (
                v1_url(stored.id, number)
                if generation == "v1"
                else v2_url(stored.public_id, number)
            )
            response = await api.get(path, headers=key(api_key))
            assert response.status_code == 200, response.text
            return response

        first = await fetch(mine, NUMBER, world.client_key)
        second = await fetch(theirs, OTHER_NUMBER, world.other_client_key)
        assert first.headers["last-modified"] == format_datetime(FIRST_UPLOAD, usegmt=True)
        assert second.headers["last-modified"] == format_datetime(SECOND_UPLOAD, usegmt=True)
        assert first.headers["etag"] == f'"{mine.public_id}"'
        assert second.headers["etag"] == f'"{theirs.public_id}"'
        # Another tenant storing the same bytes (which rewrites the shared file) changes nothing.
        files.store(LOG)
        again = await fetch(mine, NUMBER, world.client_key)
        for name in ("last-modified", "etag", "content-length"):
            assert again.headers[name] == first.headers[name]
        assert parsedate_to_datetime(again.headers["last-modified"]) == FIRST_UPLOAD

    async def test_an_upload_of_known_bytes_is_written_like_new_ones(
        self, api: httpx.AsyncClient, db: Database, world: World, files: FileStore
    ) -> None:
        """The store takes the same path (a fresh file, written, synced, renamed into place)
        for bytes it holds as for bytes it does not: a new inode each time, observably."""
        theirs = await write_key(db, world.other_client_id, rate_limit_per_minute=100)
        mine = await write_key(db, world.client_id, rate_limit_per_minute=100)
        upload = {"file": ("same.log", LOG, "application/octet-stream")}
        first = await api.post("/api/v2/support/attachments", headers=key(theirs), files=upload)
        assert first.status_code == 201, first.text
        shared = files.path_for(hashlib.sha256(LOG).hexdigest())
        before = os.stat(shared).st_ino
        second = await api.post("/api/v2/support/attachments", headers=key(mine), files=upload)
        assert second.status_code == 201, second.text
        assert os.stat(shared).st_ino != before
        assert shared.read_bytes() == LOG
        assert [p.name for p in shared.parent.iterdir()] == [shared.name], "no temporary left"
        fields = ("byteLength", "contentType", "filename")
        assert [first.json()[f] for f in fields] == [second.json()[f] for f in fields]
