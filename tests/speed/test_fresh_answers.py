"""Every kind of change is followed by a read that shows it: the cached answer never outlives
the version it was built at, and never reaches another viewer (in one process, both doors,
with the read lane and through FastAPI's routes)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import update

from supportdesk.accounts.models import Client
from supportdesk.api.deps import state_of
from supportdesk.api.v1 import render as v1_render
from supportdesk.core.actor import Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.db import Database
from supportdesk.keys.service import revoke_key
from supportdesk.models import Reply
from supportdesk.tickets import service
from supportdesk.tickets.models import FLAG_INTERNAL
from tests import builders, conversation_builders
from tests.builders import BuiltTicket
from tests.conversation_builders import Cast


@pytest.fixture(params=[True, False], ids=["read lane", "routes"])
def app_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {"read_lane": request.param}


@pytest.fixture
async def cast(db: Database) -> Cast:
    return await conversation_builders.cast(db)


@pytest.fixture
async def opened(db: Database, cast: Cast) -> BuiltTicket:
    return await builders.ticket(
        db, number=616828, client_id=cast.world.client_id, dept_id=cast.world.dept_id
    )


@pytest.fixture
def number(opened: BuiltTicket) -> int:
    return opened.number


async def v1(api: httpx.AsyncClient, key: str, number: int, **headers: str) -> httpx.Response:
    return await api.get(f"/api/support/tickets/{number}", headers={"X-API-Key": key, **headers})


async def v2(api: httpx.AsyncClient, key: str, ref: int | str, **headers: str) -> httpx.Response:
    return await api.get(f"/api/v2/support/tickets/{ref}", headers={"X-API-Key": key, **headers})


async def both(api: httpx.AsyncClient, key: str, number: int) -> tuple[dict[str, Any], Any]:
    """The v1 ticket and the v2 detail, read twice each (the second read is the cached one)."""
    first = (await v1(api, key, number)).json()["data"]["ticket"]
    again = await v1(api, key, number)
    assert again.status_code == 200
    ticket = again.json()["data"]["ticket"]
    assert {**ticket, "viewtime": ""} == {**first, "viewtime": ""}
    detail = (await v2(api, key, number)).json()
    assert (await v2(api, key, number)).json() == detail
    return ticket, detail


async def test_a_reply_by_either_side_is_shown_at_once(
    api: httpx.AsyncClient, cast: Cast, number: int
) -> None:
    await both(api, cast.client_key, number)
    await both(api, cast.staff_key, number)
    for key, body in ((cast.staff_key, "Staff answer"), (cast.client_key, "Client answer")):
        posted = await api.post(
            f"/api/v2/support/tickets/{number}/messages",
            headers={"X-API-Key": key},
            json={"message": body},
        )
        assert posted.status_code == 201, posted.text
        for reader in (cast.client_key, cast.staff_key):
            ticket, detail = await both(api, reader, number)
            assert ticket["replies"][-1]["body"] == body
            assert detail["messages"][-1]["body"] == body


async def test_read_markers_are_shown_as_they_are_flipped(
    api: httpx.AsyncClient, cast: Cast, number: int
) -> None:
    staff_view, _ = await both(api, cast.staff_key, number)
    assert staff_view["admin_read"] == "1"
    posted = await api.post(
        f"/api/v2/support/tickets/{number}/messages",
        headers={"X-API-Key": cast.staff_key},
        json={"message": "Please check"},
    )
    assert posted.status_code == 201
    staff_view, _ = await both(api, cast.staff_key, number)
    assert staff_view["client_read"] == "0"
    client_view, _ = await both(api, cast.client_key, number)
    assert client_view["client_read"] == "1"  # this read marked it
    staff_view, _ = await both(api, cast.staff_key, number)
    assert staff_view["client_read"] == "1"  # and staff see it, not their cached "0"


async def test_a_status_change_is_shown(api: httpx.AsyncClient, cast: Cast, number: int) -> None:
    before, detail = await both(api, cast.client_key, number)
    assert before["status"] == "Open"
    closed = await api.post(
        f"/api/v2/support/tickets/{number}/actions/close", headers={"X-API-Key": cast.client_key}
    )
    assert closed.status_code == 200
    ticket, detail = await both(api, cast.client_key, number)
    assert ticket["status"] == "Closed"
    assert detail["status"] == "closed"
    ticket, _ = await both(api, cast.staff_key, number)
    assert ticket["status"] == "Closed"


async def test_a_department_rename_is_shown(
    api: httpx.AsyncClient, db: Database, cast: Cast, number: int
) -> None:
    await both(api, cast.client_key, number)
    await both(api, cast.staff_key, number)
    # What the admin door does: the rename, and the render generation moved with it.
    await conversation_builders.set_department(db, cast.world.dept_id, name="Hosting Help")
    for key in (cast.client_key, cast.staff_key):
        ticket, detail = await both(api, key, number)
        assert ticket["deptname"] == "Hosting Help"
        assert detail["departmentName"] == "Hosting Help"


async def test_a_note_reaches_staff_at_once_and_never_the_client(
    api: httpx.AsyncClient, db: Database, cast: Cast, opened: BuiltTicket, number: int
) -> None:
    await both(api, cast.staff_key, number)  # first: a staff read flips `admin_read`
    client_before = await v1(api, cast.client_key, number)
    client_v2_before = await v2(api, cast.client_key, number)
    await builders.note(db, opened.id, cast.world.staff_id, "Client owes 3 invoices")
    ticket, _ = await both(api, cast.staff_key, number)
    assert ticket["notes"] == ["Client owes 3 invoices"]
    # The client's answer is rebuilt (the version moved) but shows nothing of the note: not
    # its text, and not a new tag either (the tag comes from what is shown).
    client_after = await v1(api, cast.client_key, number)
    assert b"invoices" not in client_after.content
    assert client_after.json()["data"]["ticket"]["notes"] == []
    assert client_after.headers["etag"] == client_before.headers["etag"]
    client_v2_after = await v2(api, cast.client_key, number)
    assert b"invoices" not in client_v2_after.content
    assert client_v2_after.headers["etag"] == client_v2_before.headers["etag"]
    unchanged = await v1(
        api, cast.client_key, number, **{"If-None-Match": client_before.headers["etag"]}
    )
    assert unchanged.status_code == 304


async def test_a_merge_moves_messages_and_both_tickets_show_it(
    api: httpx.AsyncClient, db: Database, cast: Cast, opened: BuiltTicket, number: int
) -> None:
    """What a merge does to the rows (the conversation's module does it the same way): B's
    messages move to A, and each ticket's change is recorded (which moves its version)."""
    other = await builders.ticket(
        db, number=700001, client_id=cast.world.client_id, dept_id=cast.world.dept_id
    )
    target = opened.id
    moved = await conversation_builders.reply(db, other.id, body="From the merged ticket")
    await both(api, cast.client_key, number)
    await both(api, cast.client_key, other.number)
    staff = Actor.staff(cast.world.staff_id, "api_v2")
    async with db.transaction() as session:
        await session.execute(update(Reply).where(Reply.id == moved).values(ticket_id=target))
        for ticket_id, kind in ((target, "merged_in"), (other.id, "merged")):
            await service.record_change(session, staff, ticket_id, kind, {}, utcnow())
    ticket, detail = await both(api, cast.client_key, number)
    assert [r["body"] for r in ticket["replies"]] == ["From the merged ticket"]
    assert [m["body"] for m in detail["messages"]] == ["From the merged ticket"]
    ticket, detail = await both(api, cast.client_key, other.number)
    assert ticket["replies"] == []
    assert detail["messages"] == []


async def test_an_attachment_claimed_with_a_message_is_shown(
    api: httpx.AsyncClient, db: Database, cast: Cast, number: int
) -> None:
    await both(api, cast.client_key, number)
    await both(api, cast.staff_key, number)
    upload = await conversation_builders.pending_upload(db, cast.world.client_id)
    posted = await api.post(
        f"/api/v2/support/tickets/{number}/messages",
        headers={"X-API-Key": cast.client_key},
        json={"message": "The log", "attachmentIds": [upload]},
    )
    assert posted.status_code == 201, posted.text
    for key in (cast.client_key, cast.staff_key):
        ticket, detail = await both(api, key, number)
        assert len(ticket["attachments"]) == 1
        assert [a["filename"] for a in detail["messages"][-1]["attachments"]] == ["other.txt"]


async def test_a_suspended_client_is_refused_though_its_answer_is_cached(
    api: httpx.AsyncClient, db: Database, cast: Cast, number: int
) -> None:
    await both(api, cast.client_key, number)
    async with db.transaction() as session:
        await session.execute(
            update(Client).where(Client.id == cast.world.client_id).values(status="Suspended")
        )
    assert (await v1(api, cast.client_key, number)).status_code == 403
    assert (await v2(api, cast.client_key, number)).status_code == 403


async def test_a_revoked_key_is_refused_though_its_answer_is_cached(
    api: httpx.AsyncClient, db: Database, cast: Cast, number: int
) -> None:
    await both(api, cast.client_key, number)
    async with db.transaction() as session:
        assert await revoke_key(session, cast.client_key)
    assert (await v1(api, cast.client_key, number)).status_code == 401
    assert (await v2(api, cast.client_key, number)).status_code == 401


async def test_another_client_never_gets_a_cached_answer(
    api: httpx.AsyncClient, db: Database, cast: Cast, number: int
) -> None:
    await both(api, cast.client_key, number)
    await both(api, cast.staff_key, number)
    unknown_v1 = await v1(api, cast.other_key, 999_999)
    unknown_v2 = await v2(api, cast.other_key, 999_999)
    foreign_v1 = await v1(api, cast.other_key, number)
    foreign_v2 = await v2(api, cast.other_key, number)
    assert foreign_v1.status_code == foreign_v2.status_code == 404
    assert b"My VPS" not in foreign_v1.content
    assert b"My VPS" not in foreign_v2.content
    assert foreign_v1.json()["message"] == unknown_v1.json()["message"]
    assert foreign_v2.json()["detail"] == unknown_v2.json()["detail"]


async def test_a_ticket_made_internal_leaves_the_client_at_once(
    api: httpx.AsyncClient, db: Database, cast: Cast, opened: BuiltTicket, number: int
) -> None:
    await both(api, cast.client_key, number)
    await conversation_builders.set_ticket(db, opened.id, flags=FLAG_INTERNAL)
    assert (await v1(api, cast.client_key, number)).status_code == 404
    assert (await v2(api, cast.client_key, number)).status_code == 404
    assert (await v1(api, cast.staff_key, number)).status_code == 200


async def test_the_spliced_answer_is_the_answer_built_whole(
    app: Any, api: httpx.AsyncClient, cast: Cast, number: int
) -> None:
    """The cached bytes with the view time, timestamp and request id spliced in are exactly
    what encoding the whole envelope gives, and the tag is the one the whole ticket gives."""
    await v1(api, cast.client_key, number)
    response = await v1(api, cast.client_key, number)
    envelope = response.json()
    rebuilt = orjson.dumps(envelope)
    assert response.content == rebuilt
    assert response.headers["etag"] == v1_render.etag(envelope["data"]["ticket"])
    assert response.headers["x-request-id"] == envelope["requestId"]
    assert len(state_of(app).answers) >= 1
