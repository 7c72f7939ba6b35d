"""`PATCH .../messages/{messageId}` and `POST .../messages/{messageId}/actions/send`: a draft or
a scheduled message is edited, then sent, and only then does the ticket change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from supportdesk.core.db import Database
from tests import conversation_builders
from tests.api.v2.assertions import assert_invalid, assert_problem, key
from tests.api.v2.calls import TICKETS
from tests.conversation.conftest import Desk
from tests.conversation.helpers import detail, events, post, ticket_of

NUMBER = 700_101


async def _draft(api: httpx.AsyncClient, desk: Desk, ref: str, **fields: Any) -> dict[str, Any]:
    response = await post(api, desk.writer_key, ref, message="Draft", draft=True, **fields)
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


async def _patch(
    api: httpx.AsyncClient, api_key: str, ref: str, message_id: str, **body: Any
) -> httpx.Response:
    return await api.patch(
        f"{TICKETS}/{ref}/messages/{message_id}", headers=key(api_key), json=body
    )


async def _send(api: httpx.AsyncClient, api_key: str, ref: str, message_id: str) -> httpx.Response:
    return await api.post(
        f"{TICKETS}/{ref}/messages/{message_id}/actions/send", headers=key(api_key)
    )


class TestEdit:
    async def test_editing_a_draft_changes_its_fields_and_schedules_it(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER)
        draft = await _draft(api, desk, ref)
        when = datetime.now(UTC) + timedelta(days=1)
        response = await _patch(
            api,
            desk.writer_key,
            ref,
            draft["id"],
            message="Better words",
            sendAt=when.isoformat(),
            status="On-Hold",
            notify=False,
        )
        assert response.status_code == 200, response.text
        edited = response.json()
        assert (edited["id"], edited["body"], edited["state"]) == (
            draft["id"],
            "Better words",
            "scheduled",
        )
        assert edited["sendAt"] is not None
        back = await _patch(api, desk.writer_key, ref, draft["id"], sendAt=None)
        assert (back.json()["state"], back.json()["sendAt"]) == ("draft", None)
        last = (await events(api, desk.writer_key, ref))[-1]
        assert last["kind"] == "message_edited"
        assert last["changes"]["state"] == {"from": "scheduled", "to": "draft"}
        assert (await detail(api, desk.client_key, ref))["messages"] == []

    async def test_a_sent_message_is_409_an_unknown_one_404_a_past_time_400(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER)
        sent = (await post(api, desk.writer_key, ref)).json()
        assert_problem(
            await _patch(api, desk.writer_key, ref, sent["id"], message="x"), 409, "conflict"
        )
        assert_problem(await _send(api, desk.writer_key, ref, sent["id"]), 409, "conflict")
        unknown = "tmsg_" + "0" * 26
        assert_problem(
            await _patch(api, desk.writer_key, ref, unknown, message="x"), 404, "not_found"
        )
        assert_problem(await _send(api, desk.writer_key, ref, unknown), 404, "not_found")
        draft = await _draft(api, desk, ref)
        past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        assert_invalid(await _patch(api, desk.writer_key, ref, draft["id"], sendAt=past), "/sendAt")
        assert_invalid(
            await _patch(api, desk.writer_key, ref, draft["id"], status="Nope"), "/status"
        )
        assert_invalid(await _patch(api, desk.writer_key, ref, draft["id"], extra=1), "/extra")

    async def test_a_client_key_is_403_and_another_tickets_message_404(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER)
        other = await ticket_of(desk, db, NUMBER + 1)
        draft = await _draft(api, desk, ref)
        assert_problem(
            await _patch(api, desk.client_key, ref, draft["id"], message="x"), 403, "forbidden"
        )
        assert_problem(await _send(api, desk.client_key, ref, draft["id"]), 403, "forbidden")
        assert_problem(await _send(api, desk.writer_key, other, draft["id"]), 404, "not_found")
        assert_problem(
            await _send(api, desk.cast.read_only_key, ref, draft["id"]), 403, "forbidden"
        )


class TestSend:
    async def test_sending_a_draft_is_a_staff_reply_now(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER, client_read=True)
        draft = await _draft(api, desk, ref, status="On-Hold")
        before = await conversation_builders.ticket_row(db, NUMBER)
        response = await _send(api, desk.writer_key, ref, draft["id"])
        assert response.status_code == 200, response.text
        sent = response.json()
        assert (sent["state"], sent["sendAt"]) == ("sent", None)
        assert sent["sentAt"] > draft["sentAt"]
        row = await conversation_builders.ticket_row(db, NUMBER)
        assert not row["client_read"]
        assert row["last_reply_at"] > before["last_reply_at"]
        shown = await detail(api, desk.client_key, ref)
        assert shown["status"] == "on_hold"
        assert [m["id"] for m in shown["messages"]] == [draft["id"]]
        assert shown["lastMessageAt"] == sent["sentAt"]
        last = (await events(api, desk.writer_key, ref))[-1]
        assert last["kind"] == "replied"
        assert last["changes"]["state"] == {"from": "draft", "to": "sent"}
        assert last["changes"]["status"] == {"from": "Open", "to": "On-Hold"}
        again = await _send(api, desk.writer_key, ref, draft["id"])
        assert_problem(again, 409, "conflict")

    async def test_sending_a_scheduled_message_now(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER)
        later = (datetime.now(UTC) + timedelta(hours=5)).isoformat()
        scheduled = (await post(api, desk.writer_key, ref, sendAt=later)).json()
        response = await _send(api, desk.writer_key, ref, scheduled["id"])
        assert response.status_code == 200, response.text
        assert (await detail(api, desk.client_key, ref))["status"] == "answered"
