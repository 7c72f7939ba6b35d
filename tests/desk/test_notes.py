"""Notes: CRUD by staff with `manage:support`, author or admin rules, events without the text,
flag 1, and a canary that no client door shows (v1 and v2 detail, v2 list, ETag)."""

from __future__ import annotations

import httpx
import pytest

from supportdesk.core.db import Database
from tests import conversation_builders
from tests.api.v2.assertions import assert_invalid, assert_problem, key
from tests.desk.conftest import NUMBER, Desk, events

CANARY = "CANARY-7f3a: the client owes us 3 invoices"


def notes_url(desk: Desk) -> str:
    return f"/api/v2/support/tickets/{desk.ref}/notes"


async def add(
    api: httpx.AsyncClient, desk: Desk, body: str, api_key: str | None = None
) -> httpx.Response:
    return await api.post(
        notes_url(desk), json={"body": body}, headers=key(api_key or desk.manager_key)
    )


class TestNotes:
    async def test_add_list_edit_delete_with_events_and_flag(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        created = await add(api, desk, "First look: disk full.")
        assert created.status_code == 201, created.text
        note = created.json()
        assert list(note) == ["id", "body", "author", "createdAt", "updatedAt"]
        assert note["author"] == {"id": desk.cast.world.staff_id, "name": "Grace Hopper"}
        assert (await conversation_builders.ticket_row(db, NUMBER))["flags"] & 1
        listed = await api.get(notes_url(desk), headers=key(desk.manager_key))
        assert listed.json() == {"notes": [note]}
        edited = await api.patch(
            f"{notes_url(desk)}/{note['id']}",
            json={"body": "Disk full: /var."},
            headers=key(desk.manager_key),
        )
        assert edited.status_code == 200, edited.text
        assert edited.json()["body"] == "Disk full: /var."
        deleted = await api.delete(f"{notes_url(desk)}/{note['id']}", headers=key(desk.manager_key))
        assert deleted.status_code == 204, deleted.text
        assert (await api.get(notes_url(desk), headers=key(desk.manager_key))).json() == {
            "notes": []
        }
        assert not (await conversation_builders.ticket_row(db, NUMBER))["flags"] & 1
        timeline = await events(db, desk.ticket_id)
        assert [e["kind"] for e in timeline] == ["note_added", "note_edited", "note_deleted"]
        assert timeline[0]["changes"] == {"note": {"from": None, "to": note["id"]}}
        assert timeline[2]["changes"] == {"note": {"from": note["id"], "to": None}}
        assert "disk" not in str(timeline).lower()

    async def test_only_the_author_or_an_admin_changes_a_note(
        self, api: httpx.AsyncClient, desk: Desk
    ) -> None:
        note = (await add(api, desk, "Mine.", desk.admin_key)).json()  # by the owner (admin)
        path = f"{notes_url(desk)}/{note['id']}"
        refused = await api.patch(path, json={"body": "x"}, headers=key(desk.manager_key))
        assert_problem(refused, 403, "forbidden")
        assert_problem(await api.delete(path, headers=key(desk.manager_key)), 403, "forbidden")
        other = (await add(api, desk, "Grace's.")).json()
        by_admin = await api.delete(f"{notes_url(desk)}/{other['id']}", headers=key(desk.admin_key))
        assert by_admin.status_code == 204

    async def test_refusals(self, api: httpx.AsyncClient, desk: Desk) -> None:
        for api_key in (desk.client_key, desk.reader_key):
            assert_problem(await add(api, desk, "x", api_key), 403, "forbidden")
            listed = await api.get(notes_url(desk), headers=key(api_key))
            assert_problem(listed, 403, "forbidden")
        assert_invalid(await add(api, desk, ""), "/body")
        unknown = await api.patch(
            f"{notes_url(desk)}/tnote_{'0' * 26}",
            json={"body": "x"},
            headers=key(desk.manager_key),
        )
        assert_problem(unknown, 404, "not_found")
        other = (await add(api, desk, "On the other ticket.")).json()
        elsewhere = f"/api/v2/support/tickets/{desk.other_ref}/notes/{other['id']}"
        assert_problem(await api.delete(elsewhere, headers=key(desk.manager_key)), 404, "not_found")


class TestNoClientSeesANote:
    @pytest.fixture
    async def before(self, api: httpx.AsyncClient, desk: Desk) -> dict[str, httpx.Response]:
        return await self.client_views(api, desk)

    @staticmethod
    async def client_views(api: httpx.AsyncClient, desk: Desk) -> dict[str, httpx.Response]:
        headers = key(desk.client_key)
        return {
            "v1 detail": await api.get(f"/api/support/tickets/{NUMBER}", headers=headers),
            "v2 detail": await api.get(f"/api/v2/support/tickets/{desk.ref}", headers=headers),
            "v2 list": await api.get("/api/v2/support/tickets", headers=headers),
        }

    async def test_a_canary_note_reaches_no_client_view_nor_moves_its_etag(
        self, api: httpx.AsyncClient, desk: Desk, before: dict[str, httpx.Response]
    ) -> None:
        created = await add(api, desk, CANARY)
        assert created.status_code == 201
        note_id = created.json()["id"]
        after = await self.client_views(api, desk)
        for name, response in after.items():
            assert response.status_code == 200, (name, response.text)
            assert "CANARY" not in response.text, name
            assert note_id not in response.text, name
        assert after["v2 detail"].headers["etag"] == before["v2 detail"].headers["etag"]
        assert after["v2 detail"].json() == before["v2 detail"].json()
        assert after["v2 list"].json() == before["v2 list"].json()
        v1_before, v1_after = (
            views["v1 detail"].json()["data"] for views in (before, after)
        )  # the envelope's request id and time differ; the ticket's viewtime is the answer's
        for ticket in (v1_before["ticket"], v1_after["ticket"]):
            ticket.pop("viewtime")
        assert v1_after == v1_before
        assert v1_after["ticket"]["notes"] == []
        assert v1_after["ticket"]["flags"] == 0
        conditional = await api.get(
            f"/api/v2/support/tickets/{desk.ref}",
            headers={**key(desk.client_key), "If-None-Match": before["v2 detail"].headers["etag"]},
        )
        assert conditional.status_code == 304
        staff = await api.get(f"/api/v2/support/tickets/{desk.ref}", headers=key(desk.manager_key))
        assert CANARY in staff.text
