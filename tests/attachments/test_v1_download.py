"""`GET /api/support/tickets/{number}/attachments/{id}`: the file, under the ticket's rules."""

from __future__ import annotations

import re

import httpx
import pytest

from supportdesk.attachments.storage import FileStore
from supportdesk.core.db import Database
from tests import builders
from tests.api.assertions import (
    assert_error,
    assert_rate_limit_headers,
    assert_rate_limited,
    assert_request_id,
)
from tests.attachments.conftest import LOG, NUMBER, OTHER_NUMBER, Tickets, stored_attachment
from tests.builders import World


def url(attachment_id: int | str, number: int | str = NUMBER) -> str:
    return f"/api/support/tickets/{number}/attachments/{attachment_id}"


def key(api_key: str) -> dict[str, str]:
    return {"X-API-Key": api_key}


def without_volatile(content: bytes) -> bytes:
    return re.sub(rb'"(timestamp|requestId)":"[^"]*"', rb'"\1":""', content)


class TestDownloadAttachment:
    async def test_the_owner_gets_the_bytes_as_a_download(
        self, api: httpx.AsyncClient, db: Database, world: World, tickets: Tickets, files: FileStore
    ) -> None:
        attachment = await stored_attachment(db, files, tickets.mine.id)
        response = await api.get(url(attachment.id), headers=key(world.client_key))
        assert response.status_code == 200, response.text
        assert response.content == LOG
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert response.headers["content-length"] == str(len(LOG))
        assert response.headers["content-disposition"] == 'attachment; filename="console.log"'
        assert response.headers["x-content-type-options"] == "nosniff"
        assert_request_id(response)
        assert_rate_limit_headers(response)

    async def test_a_bearer_token_works_too(
        self, api: httpx.AsyncClient, db: Database, world: World, tickets: Tickets, files: FileStore
    ) -> None:
        attachment = await stored_attachment(db, files, tickets.mine.id)
        headers = {"Authorization": f"Bearer {world.client_key}"}
        assert (await api.get(url(attachment.id), headers=headers)).content == LOG

    async def test_non_ascii_and_hostile_stored_names_are_safe_in_the_header(
        self, api: httpx.AsyncClient, db: Database, world: World, tickets: Tickets, files: FileStore
    ) -> None:
        accented = await stored_attachment(db, files, tickets.mine.id, filename="résumé.txt")
        hostile = await stored_attachment(
            db, files, tickets.mine.id, filename='x"; filename="evil.html'
        )
        first = await api.get(url(accented.id), headers=key(world.client_key))
        assert first.headers["content-disposition"] == (
            "attachment; filename=\"resume.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt"
        )
        second = await api.get(url(hostile.id), headers=key(world.client_key))
        assert second.headers["content-disposition"] == (
            'attachment; filename="x_ filename=evil.html"'
        )

    async def test_files_on_drafts_are_hidden_from_the_client_not_from_staff(
        self, api: httpx.AsyncClient, db: Database, world: World, tickets: Tickets, files: FileStore
    ) -> None:
        draft = await stored_attachment(db, files, tickets.mine.id, reply_id=tickets.draft_reply)
        assert_error(await api.get(url(draft.id), headers=key(world.client_key)), 404, "NOT_FOUND")
        staff = await api.get(url(draft.id), headers=key(world.staff_key))
        assert staff.status_code == 200
        assert staff.content == LOG

    async def test_no_key_is_401(self, api: httpx.AsyncClient, tickets: Tickets) -> None:
        assert_error(await api.get(url(1)), 401, "UNAUTHORIZED")

    async def test_a_bad_key_is_401(self, api: httpx.AsyncClient, tickets: Tickets) -> None:
        response = await api.get(url(1), headers=key("sd_live_not-a-real-key"))
        assert_error(response, 401, "INVALID_API_KEY")

    async def test_a_key_without_read_support_is_403(
        self, api: httpx.AsyncClient, world: World, tickets: Tickets
    ) -> None:
        response = await api.get(url(1), headers=key(world.account_only_key))
        assert_error(response, 403, "FORBIDDEN")

    async def test_a_suspended_client_is_403(
        self, api: httpx.AsyncClient, world: World, tickets: Tickets
    ) -> None:
        response = await api.get(url(1), headers=key(world.suspended_client_key))
        assert_error(response, 403, "FORBIDDEN")

    async def test_another_clients_ticket_is_the_same_404_as_an_unknown_number(
        self, api: httpx.AsyncClient, db: Database, world: World, tickets: Tickets, files: FileStore
    ) -> None:
        theirs = await stored_attachment(db, files, tickets.theirs.id)
        not_yours = await api.get(url(theirs.id, OTHER_NUMBER), headers=key(world.client_key))
        unknown = await api.get(url(theirs.id, 999999), headers=key(world.client_key))
        assert_error(not_yours, 404, "NOT_FOUND")
        assert_error(unknown, 404, "NOT_FOUND")
        assert without_volatile(not_yours.content) == without_volatile(unknown.content)

    async def test_an_attachment_of_another_ticket_is_404(
        self, api: httpx.AsyncClient, db: Database, world: World, tickets: Tickets, files: FileStore
    ) -> None:
        theirs = await stored_attachment(db, files, tickets.theirs.id)
        response = await api.get(url(theirs.id, NUMBER), headers=key(world.staff_key))
        assert_error(response, 404, "NOT_FOUND")

    @pytest.mark.parametrize(
        ("number", "attachment_id"),
        [
            ("abc", 1),
            (0, 1),
            (-5, 1),
            (2**63, 1),
            (NUMBER, "abc"),
            (NUMBER, 0),
            (NUMBER, 2**31),
            (NUMBER, "1.5"),
        ],
    )
    async def test_malformed_path_values_are_400(
        self,
        api: httpx.AsyncClient,
        world: World,
        tickets: Tickets,
        number: int | str,
        attachment_id: int | str,
    ) -> None:
        response = await api.get(url(attachment_id, number), headers=key(world.client_key))
        assert_error(response, 400, "INVALID_PARAMETER")

    async def test_the_rate_limit_applies(
        self, api: httpx.AsyncClient, db: Database, world: World, tickets: Tickets, files: FileStore
    ) -> None:
        attachment = await stored_attachment(db, files, tickets.mine.id)
        _, limited_key = await builders.api_key(
            db, client_id=world.client_id, rate_limit_per_minute=1
        )
        assert (await api.get(url(attachment.id), headers=key(limited_key))).status_code == 200
        assert_rate_limited(await api.get(url(attachment.id), headers=key(limited_key)))
