"""v2 list cursors are keyed by the installation's secret and read strictly: a cursor made up
outside (with the old constant key, another installation's, or values out of range even under
a valid tag) is `invalid_cursor`, never a 500; one installation's processes agree."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from supportdesk.api.deps import state_of
from supportdesk.api.v2.cursor import CursorCodec
from supportdesk.core.db import Database
from tests import builders
from tests.api.v2.assertions import assert_problem, key
from tests.builders import OPENED
from tests.conversation_builders import Cast
from tests.support import AppFactory, client_for

URL = "/api/v2/support/tickets"
SECRET = "an-operator-chosen-secret-of-forty-chars!"


@pytest.fixture
async def tickets(db: Database, cast: Cast) -> None:
    for i in range(3):
        await builders.ticket(
            db, number=700_000 + i, dept_id=cast.world.dept_id, client_id=cast.world.client_id
        )


async def page(app: FastAPI, api_key: str, **params: Any) -> httpx.Response:
    async with client_for(app) as client:
        return await client.get(URL, params={"limit": 1, **params}, headers=key(api_key))


async def next_cursor(app: FastAPI, api_key: str) -> str:
    response = await page(app, api_key)
    assert response.status_code == 200, response.text
    cursor: str = response.json()["nextCursor"]
    return cursor


def codec_of(app: FastAPI) -> CursorCodec:
    codec: CursorCodec = state_of(app).cursors
    return codec


def old_constant_key_cursor(payload: bytes) -> str:
    """A cursor tagged as the source once did, with its published constant key."""
    tag = hashlib.blake2b(payload, key=b"supportdesk.v2.cursor.1", digest_size=10).digest()
    return base64.urlsafe_b64encode(payload + tag).decode().rstrip("=")


def assert_invalid_cursor(response: httpx.Response) -> None:
    body = assert_problem(response, 400, "invalid_cursor")
    assert "cursor" in body["detail"]


FORGED_UNDER_A_VALID_TAG = {
    "id 2^31": b"1:1764236400000000:2147483648",
    "id 2^63": b"1:1764236400000000:9223372036854775808",
    "id 2^64 + 1": b"1:1764236400000000:18446744073709551617",
    "id 0": b"1:1764236400000000:0",
    "negative id": b"1:1764236400000000:-1",
    "time after year 9999": b"1:253402300800000000:1",
    "time 2^63 us": b"1:9223372036854775808:1",
    "negative time": b"1:-1:1",
    "leading zeros": b"1:01764236400000000:01",
    "plus sign": b"1:+1764236400000000:+1",
    "underscores": b"1:1_764_236_400_000_000:1",
    "arabic-indic digits": "1:١٧٦٤:١".encode(),
    "spaces": b"1: 1764236400000000 : 1",
    "extra field": b"1:1764236400000000:1:1",
    "missing field": b"1:1764236400000000",
    "other version": b"2:1764236400000000:1",
    "no version": b"1764236400000000:1",
    "not text": b"\xff\xfe:1",
    "empty": b"",
}


@pytest.mark.usefixtures("tickets")
class TestForgedCursors:
    @pytest.mark.parametrize(
        "payload", [b"1764236400000000:1", b"1764236400000000:9223372036854775808"]
    )
    async def test_the_old_constant_key_no_longer_works(
        self, app: FastAPI, cast: Cast, payload: bytes
    ) -> None:
        response = await page(app, cast.client_key, cursor=old_constant_key_cursor(payload))
        assert_invalid_cursor(response)

    @pytest.mark.parametrize(
        "payload", FORGED_UNDER_A_VALID_TAG.values(), ids=list(FORGED_UNDER_A_VALID_TAG)
    )
    async def test_values_out_of_range_are_refused_even_under_a_valid_tag(
        self, app: FastAPI, cast: Cast, payload: bytes
    ) -> None:
        forged = codec_of(app).seal(payload)
        response = await page(app, cast.client_key, cursor=forged)
        assert_invalid_cursor(response)

    async def test_the_largest_values_in_range_are_served(self, app: FastAPI, cast: Cast) -> None:
        """The bounds are the columns': the last id and the last microsecond still page."""
        codec = codec_of(app)
        for payload in (b"1:253402300799999999:2147483647", b"1:0:1"):
            response = await page(app, cast.client_key, cursor=codec.seal(payload))
            assert response.status_code == 200, response.text

    async def test_another_installations_cursor_is_refused(
        self, make_app: AppFactory, cast: Cast, tmp_path: Path
    ) -> None:
        ours = make_app()
        theirs = make_app(data_dir=tmp_path / "another-installation")
        issued = await next_cursor(theirs, cast.client_key)
        assert_invalid_cursor(await page(ours, cast.client_key, cursor=issued))


@pytest.mark.usefixtures("tickets")
class TestOneInstallation:
    async def test_processes_sharing_the_data_directory_agree(
        self, make_app: AppFactory, cast: Cast
    ) -> None:
        first, second = make_app(), make_app()
        issued = await next_cursor(first, cast.client_key)
        followed = await page(second, cast.client_key, cursor=issued)
        assert followed.status_code == 200, followed.text
        assert len(followed.json()["data"]) == 1

    async def test_the_setting_overrides_the_file_and_is_shared_by_its_holders(
        self, make_app: AppFactory, cast: Cast, tmp_path: Path
    ) -> None:
        by_file = make_app()
        first = make_app(secret_key=SECRET, data_dir=tmp_path / "one")
        second = make_app(secret_key=SECRET, data_dir=tmp_path / "two")
        issued = await next_cursor(first, cast.client_key)
        assert (await page(second, cast.client_key, cursor=issued)).status_code == 200
        assert_invalid_cursor(await page(by_file, cast.client_key, cursor=issued))
        assert not (tmp_path / "one" / "secret_key").exists(), "no file when the setting is set"

    async def test_the_secret_is_made_once_and_kept(
        self, make_app: AppFactory, cast: Cast, tmp_path: Path, db: Database
    ) -> None:
        first = make_app()
        issued = await next_cursor(first, cast.client_key)
        secret_file = tmp_path / "data" / "secret_key"
        assert secret_file.is_file()
        kept = secret_file.read_bytes()
        later = make_app()
        assert (await page(later, cast.client_key, cursor=issued)).status_code == 200
        assert secret_file.read_bytes() == kept

    async def test_a_cursor_still_pages_after_newer_activity(
        self, app: FastAPI, cast: Cast, db: Database
    ) -> None:
        issued = await next_cursor(app, cast.client_key)
        await builders.ticket(
            db,
            number=799_999,
            dept_id=cast.world.dept_id,
            client_id=cast.world.client_id,
            updated_at=OPENED,
        )
        assert (await page(app, cast.client_key, cursor=issued)).status_code == 200
