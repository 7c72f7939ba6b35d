"""v2: `POST /api/v2/support/attachments` and `GET /api/v2/support/attachments/{id}?ticketId=`."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from supportdesk.attachments.storage import FileStore
from supportdesk.core.db import Database
from tests import builders
from tests.attachments.conftest import (
    LOG,
    NUMBER,
    OTHER_NUMBER,
    Tickets,
    stored_attachment,
    with_attachment_routes,
)
from tests.builders import World
from tests.support import AppFactory, client_for

UPLOADS = "/api/v2/support/attachments"
ULID = "[0-9a-hjkmnp-tv-z]{26}"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def key(api_key: str) -> dict[str, str]:
    return {"X-API-Key": api_key}


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["detail"].strip()
    assert re.fullmatch(f"req_{ULID}", body["requestId"])
    return body


def without_volatile(content: bytes) -> bytes:
    return re.sub(rb'"(timestamp|requestId)":"[^"]*"', rb'"\1":""', content)


@pytest.fixture
async def writer_key(db: Database, world: World) -> str:
    """A key of the world's client that may write."""
    _, api_key = await builders.api_key(
        db, client_id=world.client_id, scopes=("read:support", "write:support")
    )
    return api_key


async def post_file(
    api: httpx.AsyncClient,
    api_key: str | None,
    data: bytes = LOG,
    filename: str = "console.log",
    declared: str = "application/octet-stream",
    **fields: str,
) -> httpx.Response:
    headers = key(api_key) if api_key else {}
    return await api.post(
        UPLOADS, headers=headers, files={"file": (filename, data, declared)}, data=fields
    )


class TestUpload:
    async def test_an_upload_is_201_with_detected_type_and_sanitised_name(
        self, api: httpx.AsyncClient, writer_key: str
    ) -> None:
        response = await post_file(
            api, writer_key, filename="../../logs/boot.log", declared="image/png"
        )
        assert response.status_code == 201, response.text
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert list(body) == [
            "attachmentId",
            "url",
            "filename",
            "byteLength",
            "contentType",
            "uploadedAt",
            "ticketId",
        ]
        assert re.fullmatch(f"satt_{ULID}", body["attachmentId"])
        assert re.fullmatch(f"/api/v2/support/attachments/tatt_{ULID}", body["url"])
        assert body["filename"] == "boot.log"
        assert body["byteLength"] == len(LOG)
        assert body["contentType"] == "text/plain"
        assert TIMESTAMP.match(body["uploadedAt"])
        assert body["ticketId"] is None

    @pytest.mark.parametrize("by_number", [True, False])
    async def test_a_visible_ticket_is_echoed_as_its_tkt_id(
        self, api: httpx.AsyncClient, writer_key: str, tickets: Tickets, by_number: bool
    ) -> None:
        detail = await api.get(f"/api/v2/support/tickets/{NUMBER}", headers=key(writer_key))
        ticket_id = detail.json()["id"]
        offered = str(NUMBER) if by_number else ticket_id
        response = await post_file(api, writer_key, PNG, "shot.png", ticketId=offered)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["ticketId"] == ticket_id
        assert body["url"].endswith(f"?ticketId={ticket_id}")
        assert body["contentType"] == "image/png"

    @pytest.mark.parametrize("offered", [str(OTHER_NUMBER), "999999", "tkt_nope", "12ab"])
    async def test_a_ticket_the_key_may_not_see_is_404(
        self, api: httpx.AsyncClient, writer_key: str, tickets: Tickets, offered: str
    ) -> None:
        response = await post_file(api, writer_key, ticketId=offered)
        problem(response, 404, "not_found")

    async def test_no_key_is_401_whatever_the_body(self, api: httpx.AsyncClient) -> None:
        problem(await post_file(api, None), 401, "unauthorized")
        not_multipart = await api.post(UPLOADS, json={"file": "x"})
        problem(not_multipart, 401, "unauthorized")

    async def test_a_read_only_key_is_403(self, api: httpx.AsyncClient, world: World) -> None:
        problem(await post_file(api, world.client_key), 403, "forbidden")

    async def test_a_body_that_is_not_multipart_is_415(
        self, api: httpx.AsyncClient, writer_key: str
    ) -> None:
        response = await api.post(UPLOADS, headers=key(writer_key), json={"file": "x"})
        body = problem(response, 415, "unsupported_media_type")
        assert "multipart/form-data" in body["detail"]

    @pytest.mark.parametrize(
        "data",
        [b"\x7fELF\x02\x01\x01\x00", b"MZ\x90\x00", b"<html><script>x</script>", b"\x00\x01\x02"],
    )
    async def test_a_disallowed_type_is_415(
        self, api: httpx.AsyncClient, writer_key: str, data: bytes
    ) -> None:
        response = await post_file(api, writer_key, data, "harmless.txt", "text/plain")
        body = problem(response, 415, "unsupported_media_type")
        assert "Allowed types" in body["detail"]

    async def test_an_empty_file_is_400_pointing_at_it(
        self, api: httpx.AsyncClient, writer_key: str
    ) -> None:
        body = problem(await post_file(api, writer_key, b""), 400, "invalid_request")
        assert body["errors"][0]["pointer"] == "/file"

    async def test_a_missing_file_part_is_400(
        self, api: httpx.AsyncClient, writer_key: str
    ) -> None:
        response = await api.post(
            UPLOADS,
            headers=key(writer_key),
            files={"other": ("a.txt", b"x", "text/plain")},
        )
        body = problem(response, 400, "invalid_request")
        assert body["errors"][0]["pointer"] == "/file"

    async def test_a_file_over_the_limit_is_413(
        self, make_app: AppFactory, writer_key: str
    ) -> None:
        app: FastAPI = with_attachment_routes(make_app(attachment_max_bytes=1024))
        async with client_for(app) as api:
            over_file_limit = await post_file(api, writer_key, b"x" * 1025)
            problem(over_file_limit, 413, "payload_too_large")
            over_body_limit = await post_file(api, writer_key, b"x" * (80 * 1024))
            assert over_body_limit.status_code == 413


class TestDownload:
    async def test_upload_attach_download(
        self, api: httpx.AsyncClient, writer_key: str, tickets: Tickets
    ) -> None:
        uploaded = (await post_file(api, writer_key, ticketId=str(NUMBER))).json()
        pending = await api.get(uploaded["url"], headers=key(writer_key))
        problem(pending, 404, "attachment_not_found")
        message = await api.post(
            f"/api/v2/support/tickets/{NUMBER}/messages",
            headers=key(writer_key),
            json={"message": "The log you asked for.", "attachmentIds": [uploaded["attachmentId"]]},
        )
        assert message.status_code == 201, message.text
        [listed] = message.json()["attachments"]
        assert listed["downloadUrl"] == uploaded["url"]
        response = await api.get(uploaded["url"], headers=key(writer_key))
        assert response.status_code == 200, response.text
        assert response.content == LOG
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert response.headers["content-disposition"] == 'attachment; filename="console.log"'
        assert response.headers["x-content-type-options"] == "nosniff"
        assert re.fullmatch(f"req_{ULID}", response.headers["x-request-id"])
        by_number = await api.get(
            uploaded["url"].split("?")[0], params={"ticketId": NUMBER}, headers=key(writer_key)
        )
        assert by_number.content == LOG

    async def test_ticket_id_is_required(
        self, api: httpx.AsyncClient, db: Database, world: World, tickets: Tickets, files: FileStore
    ) -> None:
        attachment = await stored_attachment(db, files, tickets.mine.id)
        response = await api.get(f"{UPLOADS}/{attachment.public_id}", headers=key(world.client_key))
        body = problem(response, 400, "invalid_request")
        assert body["errors"][0]["pointer"] == "?ticketId"

    async def test_every_refusal_is_the_same_attachment_not_found(
        self, api: httpx.AsyncClient, db: Database, world: World, tickets: Tickets, files: FileStore
    ) -> None:
        mine = await stored_attachment(db, files, tickets.mine.id)
        theirs = await stored_attachment(db, files, tickets.theirs.id, data=b"theirs\n")
        draft = await stored_attachment(
            db, files, tickets.mine.id, reply_id=tickets.draft_reply, data=b"draft\n"
        )
        cases: list[tuple[str, int | str]] = [
            (theirs.public_id, OTHER_NUMBER),  # not the key's ticket
            (theirs.public_id, 999999),  # no such ticket
            (theirs.public_id, NUMBER),  # not on that ticket
            (draft.public_id, NUMBER),  # on a draft
            ("tatt_" + "0" * 26, NUMBER),  # no such attachment
            (str(mine.id), NUMBER),  # v2 names attachments by tatt_ id only
            (mine.public_id, "tkt_nope"),
            (mine.public_id, "0"),
        ]
        bodies = set()
        for attachment_id, ticket_id in cases:
            response = await api.get(
                f"{UPLOADS}/{attachment_id}",
                params={"ticketId": ticket_id},
                headers=key(world.client_key),
            )
            problem(response, 404, "attachment_not_found")
            if attachment_id == theirs.public_id:
                bodies.add(without_volatile(response.content))
        assert len(bodies) == 1
        staff = await api.get(
            f"{UPLOADS}/{draft.public_id}",
            params={"ticketId": NUMBER},
            headers=key(world.staff_key),
        )
        assert staff.content == b"draft\n"

    async def test_no_key_is_401_and_a_key_without_read_support_403(
        self, api: httpx.AsyncClient, world: World
    ) -> None:
        path = f"{UPLOADS}/tatt_{'0' * 26}"
        problem(await api.get(path, params={"ticketId": NUMBER}), 401, "unauthorized")
        refused = await api.get(
            path, params={"ticketId": NUMBER}, headers=key(world.account_only_key)
        )
        problem(refused, 403, "forbidden")
