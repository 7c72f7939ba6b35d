"""`POST /api/v2/support/tickets/{id}/messages`: replies, with files (v2.md, model.md 2-3)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from supportdesk.core.db import Database
from supportdesk.keys import tokens
from supportdesk.tickets.models import Reply
from tests import builders, conversation_builders
from tests.api.assertions import assert_rate_limit_headers
from tests.api.v2.assertions import (
    assert_attachment_shape,
    assert_invalid,
    assert_message_shape,
    assert_problem,
    assert_rate_limited_problem,
    assert_v2_request_id,
    comparable,
    key,
)
from tests.api.v2.calls import LOG, TICKETS, post_message, upload, uploaded
from tests.builders import OPENED, BuiltTicket
from tests.conversation_builders import Cast
from tests.support import AppFactory, client_for

NUMBER = 616828
OTHER_NUMBER = 727939
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def url(ref: int | str = NUMBER) -> str:
    return f"{TICKETS}/{ref}/messages"


async def replies_of(db: Database, number: int = NUMBER) -> int:
    row = await conversation_builders.ticket_row(db, number)
    async with db.transaction() as session:
        return int(
            (
                await session.execute(
                    select(func.count()).select_from(Reply).where(Reply.ticket_id == row["id"])
                )
            ).scalar_one()
        )


def sent(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    message: dict[str, Any] = response.json()
    return message


@pytest.fixture
async def opened(db: Database, cast: Cast) -> BuiltTicket:
    return await builders.ticket(
        db, number=NUMBER, dept_id=cast.world.dept_id, client_id=cast.world.client_id
    )


@pytest.fixture
async def theirs(db: Database, cast: Cast) -> BuiltTicket:
    return await builders.ticket(
        db, number=OTHER_NUMBER, dept_id=cast.world.dept_id, client_id=cast.world.other_client_id
    )


class TestPostMessage:
    # --- 401 / 403 ---------------------------------------------------------------------

    async def test_no_key_is_401_unauthorized(
        self, api: httpx.AsyncClient, db: Database, opened: BuiltTicket
    ) -> None:
        response = await api.post(url(), json={"message": "Hello"})
        assert_problem(response, 401, "unauthorized")
        assert_rate_limit_headers(response)
        assert await replies_of(db) == 0

    async def test_no_key_is_401_whatever_the_body(
        self, api: httpx.AsyncClient, opened: BuiltTicket
    ) -> None:
        for content, content_type in ((b"message=x", "text/plain"), (b"{", "application/json")):
            response = await api.post(
                url(), content=content, headers={"Content-Type": content_type}
            )
            assert_problem(response, 401, "unauthorized")

    async def test_a_bad_key_is_401_unauthorized(
        self, api: httpx.AsyncClient, db: Database, opened: BuiltTicket
    ) -> None:
        for presented in ("junk", tokens.generate()):
            assert_problem(await post_message(api, presented, NUMBER, "Hi"), 401, "unauthorized")
        assert await replies_of(db) == 0

    async def test_a_key_without_write_support_is_403_forbidden(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, opened: BuiltTicket
    ) -> None:
        response = await post_message(api, cast.read_only_key, NUMBER, "Hi")
        body = assert_problem(response, 403, "forbidden")
        assert "write:support" in body["detail"]
        assert await replies_of(db) == 0

    # --- 404 ---------------------------------------------------------------------------

    async def test_an_unknown_ticket_is_404(self, api: httpx.AsyncClient, cast: Cast) -> None:
        for ref in (999999, "tkt_" + "0" * 26, "nope"):
            response = await post_message(api, cast.client_key, ref, "Hi")
            assert_problem(response, 404, "not_found")

    async def test_another_clients_ticket_is_the_same_404_as_an_unknown_one(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, theirs: BuiltTicket
    ) -> None:
        not_yours = await post_message(api, cast.client_key, OTHER_NUMBER, "Hi")
        unknown = await post_message(api, cast.client_key, 999999, "Hi")
        assert_problem(not_yours, 404, "not_found")
        assert comparable(not_yours) == comparable(unknown)
        assert await replies_of(db, OTHER_NUMBER) == 0

    async def test_an_internal_ticket_is_404_for_its_client(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await builders.ticket(
            db, number=NUMBER, dept_id=cast.world.dept_id, client_id=cast.world.client_id, flags=16
        )
        response = await post_message(api, cast.client_key, NUMBER, "Hi")
        assert_problem(response, 404, "not_found")
        assert sent(await post_message(api, cast.staff_key, NUMBER, "Internal"))["sender"] == (
            "staff"
        )

    # --- 400 / 413 / 415 ---------------------------------------------------------------

    @pytest.mark.parametrize(
        ("body", "pointer"),
        [
            ({}, "/message"),
            ({"message": ""}, "/message"),
            ({"message": "x" * 65_536}, "/message"),
            ({"message": "nul \x00"}, "/message"),
            ({"message": 7}, "/message"),
            ({"message": "Hi", "encrypted": "yes"}, "/encrypted"),
            ({"message": "Hi", "attachmentIds": ["nope"]}, "/attachmentIds/0"),
            ({"message": "Hi", "attachmentIds": ["satt_" + "0" * 26] * 11}, "/attachmentIds"),
            ({"message": "Hi", "status": "closed"}, "/status"),
        ],
        ids=lambda value: value if isinstance(value, str) else None,
    )
    async def test_a_malformed_body_is_400_pointing_at_the_field(
        self,
        api: httpx.AsyncClient,
        db: Database,
        cast: Cast,
        opened: BuiltTicket,
        body: dict[str, Any],
        pointer: str,
    ) -> None:
        response = await api.post(url(), headers=key(cast.client_key), json=body)
        assert_invalid(response, pointer)
        assert await replies_of(db) == 0

    @pytest.mark.parametrize("whose", ["unknown", "another client's", "already attached"])
    async def test_an_upload_that_is_not_the_callers_to_attach_is_400(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, opened: BuiltTicket, whose: str
    ) -> None:
        if whose == "unknown":
            upload_id = "satt_" + "0" * 26
        elif whose == "another client's":
            upload_id = await uploaded(api, cast.other_key)
        else:
            upload_id = await uploaded(api, cast.client_key)
            sent(
                await post_message(api, cast.client_key, NUMBER, "First", attachmentIds=[upload_id])
            )
        before = await replies_of(db)
        response = await post_message(
            api, cast.client_key, NUMBER, "With a file", attachmentIds=[upload_id]
        )
        assert_invalid(response, "/attachmentIds")
        assert await replies_of(db) == before, "the reply was rolled back with the claim"

    async def test_a_body_that_is_not_json_is_415(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, opened: BuiltTicket
    ) -> None:
        response = await api.post(
            url(),
            content=b'{"message": "Hi"}',
            headers={**key(cast.client_key), "Content-Type": "text/plain"},
        )
        assert_problem(response, 415, "unsupported_media_type")
        assert await replies_of(db) == 0

    async def test_a_body_over_1_mib_is_413(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, opened: BuiltTicket
    ) -> None:
        response = await post_message(api, cast.client_key, NUMBER, "x" * (1024 * 1024))
        assert_problem(response, 413, "payload_too_large")
        assert await replies_of(db) == 0

    # --- 409 ---------------------------------------------------------------------------

    async def test_a_client_message_to_a_closed_ticket_is_409_ticket_closed(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await builders.ticket(
            db,
            number=NUMBER,
            dept_id=cast.world.dept_id,
            client_id=cast.world.client_id,
            status="Closed",
        )
        response = await post_message(api, cast.client_key, NUMBER, "Still broken")
        body = assert_problem(response, 409, "ticket_closed")
        assert "reopen" in body["detail"]
        assert await replies_of(db) == 0
        row = await conversation_builders.ticket_row(db, NUMBER)
        assert row["updated_at"] == OPENED
        # An upload named in the refused message stays pending, to be used after reopening.
        upload_id = await uploaded(api, cast.client_key)
        refused = await post_message(
            api, cast.client_key, NUMBER, "With a file", attachmentIds=[upload_id]
        )
        assert_problem(refused, 409, "ticket_closed")
        await api.post(f"{TICKETS}/{NUMBER}/actions/reopen", headers=key(cast.client_key))
        retried = sent(
            await post_message(
                api, cast.client_key, NUMBER, "With a file", attachmentIds=[upload_id]
            )
        )
        assert len(retried["attachments"]) == 1

    async def test_staff_may_answer_a_closed_ticket(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await builders.ticket(
            db,
            number=NUMBER,
            dept_id=cast.world.dept_id,
            client_id=cast.world.client_id,
            status="Closed",
        )
        assert sent(await post_message(api, cast.staff_key, NUMBER, "Reopened for you"))
        ticket = (await api.get(f"{TICKETS}/{NUMBER}", headers=key(cast.client_key))).json()
        assert ticket["status"] == "answered"

    async def test_replies_locked_refuse_a_client_message_with_409(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await builders.ticket(
            db, number=NUMBER, dept_id=cast.world.dept_id, client_id=cast.world.client_id, flags=512
        )
        response = await post_message(api, cast.client_key, NUMBER, "Hi")
        assert response.status_code == 409
        code = response.json()["code"]
        assert_problem(response, 409, code)
        described = await api.get(f"/errors/{code}")
        assert described.status_code == 200, "the code is one the server can describe"
        assert await replies_of(db) == 0
        assert sent(await post_message(api, cast.staff_key, NUMBER, "Staff may"))

    # --- 429 ---------------------------------------------------------------------------

    async def test_the_keys_rate_limit_gives_429(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, opened: BuiltTicket
    ) -> None:
        limited = await conversation_builders.write_key(
            db, cast.world.client_id, rate_limit_per_minute=2
        )
        responses = [await post_message(api, limited, NUMBER, f"Message {i}") for i in range(3)]
        assert [response.status_code for response in responses] == [201, 201, 429]
        assert_rate_limited_problem(responses[2])
        assert_rate_limit_headers(responses[2])
        assert await replies_of(db) == 2

    # --- 201 ---------------------------------------------------------------------------

    async def test_a_client_message_is_201_and_moves_the_ticket_to_customer_reply(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, opened: BuiltTicket
    ) -> None:
        public_id = await conversation_builders.public_id_of(db, opened.id)
        body = "  Still broken.\n\nLogs below.  "
        response = await post_message(api, cast.client_key, public_id, body)
        message = sent(response)
        assert_v2_request_id(response)
        assert_rate_limit_headers(response)
        assert_message_shape(message, public_id)
        assert message["body"] == body, "stored as given"
        assert (message["sender"], message["senderName"]) == ("customer", "Ada Lovelace")
        assert (message["encrypted"], message["attachments"]) == (False, [])
        ticket = (await api.get(f"{TICKETS}/{NUMBER}", headers=key(cast.client_key))).json()
        assert ticket["status"] == "customer_reply"
        assert ticket["lastMessageAt"] == ticket["updatedAt"] == message["sentAt"]
        assert ticket["messageCount"] == 1
        assert ticket["messages"] == [message]

    async def test_a_staff_message_moves_the_ticket_to_answered(
        self, api: httpx.AsyncClient, cast: Cast, opened: BuiltTicket
    ) -> None:
        message = sent(await post_message(api, cast.staff_key, NUMBER, "Fixed.", encrypted=True))
        assert (message["sender"], message["senderName"]) == ("staff", "Grace Hopper")
        assert message["encrypted"] is True
        ticket = (await api.get(f"{TICKETS}/{NUMBER}", headers=key(cast.client_key))).json()
        assert ticket["status"] == "answered"
        assert ticket["messages"][-1]["encrypted"] is True

    async def test_files_uploaded_first_are_attached_to_the_message(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, opened: BuiltTicket
    ) -> None:
        public_id = await conversation_builders.public_id_of(db, opened.id)
        log = await upload(api, cast.client_key, ticketId=str(NUMBER))
        assert log.status_code == 201, log.text
        assert log.json()["ticketId"] == public_id
        shot = await uploaded(api, cast.client_key, PNG, "screen.png")
        message = sent(
            await post_message(
                api,
                cast.client_key,
                NUMBER,
                "Log and screenshot.",
                attachmentIds=[log.json()["attachmentId"], shot],
            )
        )
        files = message["attachments"]
        for attachment in files:
            assert_attachment_shape(attachment, public_id)
        assert [(f["filename"], f["contentType"], f["byteLength"]) for f in files] == [
            ("bounce.log", "text/plain", len(LOG)),
            ("screen.png", "image/png", len(PNG)),
        ]
        assert files[0]["downloadUrl"] == log.json()["url"]
        for attachment, data in zip(files, (LOG, PNG), strict=True):
            download = await api.get(attachment["downloadUrl"], headers=key(cast.client_key))
            assert download.status_code == 200
            assert download.content == data
        ticket = (await api.get(f"{TICKETS}/{NUMBER}", headers=key(cast.client_key))).json()
        assert ticket["attachments"] == [], "they are on the message, not the opening one"
        assert ticket["messages"][0]["attachments"] == files

    async def test_an_oversized_upload_is_413_and_a_disallowed_one_415(
        self, make_app: AppFactory, cast: Cast, opened: BuiltTicket
    ) -> None:
        async with client_for(make_app(attachment_max_bytes=2048)) as small:
            assert_problem(
                await upload(small, cast.client_key, b"x" * 2049), 413, "payload_too_large"
            )
            assert (await upload(small, cast.client_key, b"x" * 2048)).status_code == 201
            for data in (b"\x7fELF\x02\x01\x01", b"MZ\x90\x00", b"<html><script>1</script>"):
                refused = await upload(small, cast.client_key, data, "notes.txt")
                body = assert_problem(refused, 415, "unsupported_media_type")
                assert "Allowed types" in body["detail"]


class TestAcrossGenerations:
    async def test_a_v2_message_is_a_reply_in_v1(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, opened: BuiltTicket
    ) -> None:
        client = sent(await post_message(api, cast.client_key, NUMBER, "Still broken."))
        staff = sent(await post_message(api, cast.staff_key, NUMBER, "Secret.", encrypted=True))
        response = await api.get(f"/api/support/tickets/{NUMBER}", headers=key(cast.client_key))
        v1 = response.json()["data"]["ticket"]
        assert v1["status"] == "Answered"
        first, second = v1["replies"]
        assert first["ticket_id"] == v1["id"]
        assert (first["type"], first["replier_id"], first["status"]) == (
            "Client",
            str(cast.world.client_id),
            "Sent",
        )
        assert (first["name"], first["email"], first["body"]) == (
            "Ada Lovelace",
            "ada@example.com",
            "Still broken.",
        )
        assert (
            first["gravatar"] == hashlib.md5(b"ada@example.com", usedforsecurity=False).hexdigest()
        )
        assert first["senderip"] == "127.0.0.1"
        assert first["flags"] == 0
        assert first["date"] == client["sentAt"][:19].replace("T", " ")
        assert (second["type"], second["replier_id"]) == ("Admin", str(cast.world.staff_id))
        assert (second["name"], second["body"], second["flags"]) == ("Grace Hopper", "Secret.", 16)
        assert second["date"] == staff["sentAt"][:19].replace("T", " ")
        assert v1["lastreply"] == v1["lastupdate"] == second["date"]
        # Replying is not reading: the staff reply answered with the ticket but did not mark it
        # read for staff (only a read does, model.md rule 8); the client's read just did.
        assert (v1["client_read"], v1["admin_read"]) == ("1", "0")

    async def test_files_are_v1_attachment_paths_and_v2_download_urls(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, opened: BuiltTicket
    ) -> None:
        upload_id = await uploaded(api, cast.client_key)
        message = sent(
            await post_message(api, cast.client_key, NUMBER, "The log.", attachmentIds=[upload_id])
        )
        (attachment,) = message["attachments"]
        [(row_id, public_id, reply_id)] = await conversation_builders.attachment_ids(db, opened.id)
        assert attachment["id"] == public_id
        assert reply_id is not None
        v1 = (await api.get(f"/api/support/tickets/{NUMBER}", headers=key(cast.client_key))).json()[
            "data"
        ]["ticket"]
        assert v1["attachments"] == [f"/api/support/tickets/{NUMBER}/attachments/{row_id}"]
        by_v1 = await api.get(v1["attachments"][0], headers=key(cast.client_key))
        by_v2 = await api.get(attachment["downloadUrl"], headers=key(cast.client_key))
        assert by_v1.status_code == by_v2.status_code == 200
        assert by_v1.content == by_v2.content == LOG
        assert by_v1.headers["content-type"] == by_v2.headers["content-type"]
        # Another client may use neither.
        assert (await api.get(v1["attachments"][0], headers=key(cast.other_key))).status_code == 404
        not_theirs = await api.get(attachment["downloadUrl"], headers=key(cast.other_key))
        assert_problem(not_theirs, 404, "attachment_not_found")

    async def test_a_v1_ticket_takes_v2_messages_by_number(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        opened = await api.post(
            "/api/support/tickets",
            headers=key(cast.client_key),
            json={"dept_id": cast.world.dept_id, "subject": "Hi", "body": "Hello", "priority": 0},
        )
        number = opened.json()["data"]["ticket"]["number"]
        message = sent(await post_message(api, cast.staff_key, number, "Hello to you."))
        assert datetime.fromisoformat(message["sentAt"]) >= datetime.fromisoformat(
            opened.json()["timestamp"]
        )
        v1 = (await api.get(f"/api/support/tickets/{number}", headers=key(cast.client_key))).json()[
            "data"
        ]["ticket"]
        assert [r["body"] for r in v1["replies"]] == ["Hello to you."]
        assert v1["status"] == "Answered"
