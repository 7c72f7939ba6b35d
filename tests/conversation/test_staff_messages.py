"""`POST .../messages` for staff: the status after, drafts, `sendAt`, `notify`, and the collision
guard; a client key may set none of these; the v1 door is as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
from sqlalchemy import select

from supportdesk.core.db import Database
from supportdesk.models import Reply
from tests import builders, conversation_builders
from tests.api.v2.assertions import assert_invalid, key
from tests.conversation.conftest import Desk
from tests.conversation.helpers import assert_conflict, detail, events, post, ticket_of

NUMBER = 700_001


def _later(hours: float = 2) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


async def _reply_row(db: Database, public_id: str) -> dict[str, object]:
    async with db.transaction() as session:
        row = (
            await session.execute(select(*Reply.__table__.c).where(Reply.public_id == public_id))
        ).one()
    return dict(row._mapping)


class TestStatusAfter:
    async def test_a_staff_reply_is_answered_by_default(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER)
        response = await post(api, desk.writer_key, ref)
        assert response.status_code == 201, response.text
        assert response.json()["state"] == "sent"
        assert response.json()["sendAt"] is None
        assert (await detail(api, desk.client_key, ref))["status"] == "answered"

    async def test_the_status_after_by_name_or_v2_status(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER)
        assert (await post(api, desk.writer_key, ref, status="On-Hold")).status_code == 201
        assert not (await conversation_builders.ticket_row(db, NUMBER))["client_read"]
        assert (await detail(api, desk.client_key, ref))["status"] == "on_hold"
        assert (await post(api, desk.writer_key, ref, status="in_progress")).status_code == 201
        assert (await detail(api, desk.client_key, ref))["status"] == "in_progress"
        kinds = [
            (e["kind"], e["changes"].get("status")) for e in await events(api, desk.writer_key, ref)
        ]
        assert kinds[-2:] == [
            ("replied", {"from": "Open", "to": "On-Hold"}),
            ("replied", {"from": "On-Hold", "to": "In-Progress"}),
        ]

    async def test_a_custom_status_by_name(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        await builders.custom_status(db, "Waiting on DC")
        ref = await ticket_of(desk, db, NUMBER)
        assert (await post(api, desk.writer_key, ref, status="Waiting on DC")).status_code == 201
        assert (await detail(api, desk.client_key, ref))["status"] == "unknown"

    async def test_an_unknown_status_is_400_at_its_pointer_and_writes_nothing(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER)
        response = await post(api, desk.writer_key, ref, status="Snoozed")
        assert_invalid(response, "/status")
        assert (await detail(api, desk.writer_key, ref))["messages"] == []


class TestDraftsAndScheduled:
    async def test_a_draft_changes_nothing_the_client_sees(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER, client_read=True)
        before = await api.get(f"/api/v2/support/tickets/{ref}", headers=key(desk.client_key))
        row_before = await conversation_builders.ticket_row(db, NUMBER)
        response = await post(
            api, desk.writer_key, ref, message="Draft text", draft=True, status="Closed"
        )
        assert response.status_code == 201, response.text
        message = response.json()
        assert (message["state"], message["sendAt"], message["body"]) == (
            "draft",
            None,
            "Draft text",
        )
        after = await api.get(
            f"/api/v2/support/tickets/{ref}",
            headers={**key(desk.client_key), "If-None-Match": before.headers["etag"]},
        )
        assert after.status_code == 304  # the client's view did not change at all
        row = await conversation_builders.ticket_row(db, NUMBER)
        for column in ("status_id", "last_reply_at", "updated_at", "client_read", "admin_read"):
            assert row[column] == row_before[column], column
        stored = await _reply_row(db, message["id"])
        assert (stored["status"], stored["status_after"]) == ("Draft", "Closed")
        assert (await detail(api, desk.writer_key, ref))["messages"] == []
        assert (await events(api, desk.writer_key, ref))[-1]["kind"] == "drafted"

    async def test_a_future_send_at_schedules_it(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER)
        when = datetime.now(UTC) + timedelta(hours=3)
        response = await post(
            api,
            desk.writer_key,
            ref,
            sendAt=when.astimezone(timezone(timedelta(hours=2))).isoformat(),
            notify=False,
            keepIfClientReplies=True,
            status="On-Hold",
        )
        assert response.status_code == 201, response.text
        message = response.json()
        assert message["state"] == "scheduled"
        assert (
            message["sendAt"]
            == when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
        )
        stored = await _reply_row(db, message["id"])
        assert stored["status"] == "Scheduled"
        assert (stored["notify"], stored["keep_if_client_replies"]) == (False, True)
        assert stored["status_after"] == "On-Hold"
        client_view = await detail(api, desk.client_key, ref)
        assert (client_view["status"], client_view["messages"]) == ("open", [])
        last = (await events(api, desk.writer_key, ref))[-1]
        assert last["kind"] == "scheduled"
        assert last["changes"]["sendAt"]["to"] == message["sendAt"]

    async def test_a_past_send_at_a_naive_one_or_a_scheduled_draft_is_400(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER)
        past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        assert_invalid(await post(api, desk.writer_key, ref, sendAt=past), "/sendAt")
        assert_invalid(
            await post(api, desk.writer_key, ref, sendAt="2030-01-01T10:00:00"), "/sendAt"
        )
        assert_invalid(
            await post(api, desk.writer_key, ref, sendAt="0001-01-01T00:00:00+05:00"), "/sendAt"
        )
        assert_invalid(
            await post(api, desk.writer_key, ref, draft=True, sendAt=_later()), "/sendAt"
        )
        assert (await detail(api, desk.writer_key, ref))["messages"] == []

    async def test_notify_defaults_to_true(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER)
        response = await post(api, desk.writer_key, ref)
        stored = await _reply_row(db, response.json()["id"])
        assert (stored["notify"], stored["keep_if_client_replies"], stored["status_after"]) == (
            True,
            False,
            "",
        )


class TestCollisionGuard:
    async def test_a_newer_client_message_is_409_stale_ticket_naming_it(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER)
        client_message = (await post(api, desk.client_key, ref, message="Still down")).json()
        stale = await post(api, desk.writer_key, ref, lastSeenMessageId=ref)
        body = assert_conflict(stale, "stale_ticket", ("newerMessageId", "newerMessageAt"))
        assert body["newerMessageId"] == client_message["id"]
        assert body["newerMessageAt"] == client_message["sentAt"]
        assert client_message["id"] in body["detail"]
        assert [m["id"] for m in (await detail(api, desk.writer_key, ref))["messages"]] == [
            client_message["id"]
        ]
        seen = await post(api, desk.writer_key, ref, lastSeenMessageId=client_message["id"])
        assert seen.status_code == 201, seen.text
        forced = await post(api, desk.writer_key, ref, lastSeenMessageId=ref, force=True)
        assert forced.status_code == 201, forced.text

    async def test_staff_messages_since_do_not_make_it_stale(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER)
        await post(api, desk.writer_key, ref, message="A colleague answered")
        response = await post(api, desk.writer_key, ref, lastSeenMessageId=ref)
        assert response.status_code == 201, response.text

    async def test_a_last_seen_id_of_no_message_of_the_ticket_is_400(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER)
        other = await ticket_of(desk, db, NUMBER + 1)
        elsewhere = (await post(api, desk.writer_key, other)).json()["id"]
        for unknown in ("tmsg_" + "0" * 26, elsewhere, other):
            assert_invalid(
                await post(api, desk.writer_key, ref, lastSeenMessageId=unknown),
                "/lastSeenMessageId",
            )


class TestClientKeys:
    async def test_a_client_setting_a_staff_field_is_400_at_its_pointer(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER)
        for field, value in (
            ("status", "Closed"),
            ("draft", True),
            ("sendAt", _later()),
            ("notify", False),
            ("keepIfClientReplies", True),
            ("lastSeenMessageId", ref),
            ("force", True),
        ):
            response = await post(api, desk.client_key, ref, **{field: value})
            body = assert_invalid(response, f"/{field}")
            assert body["errors"][0]["code"] == "staff_only"
        assert (await detail(api, desk.client_key, ref))["messages"] == []

    async def test_a_client_sending_the_defaults_is_a_plain_reply(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        """What a generated client sends: every field, at its default."""
        ref = await ticket_of(desk, db, NUMBER)
        defaults = {
            "status": None,
            "draft": False,
            "sendAt": None,
            "notify": True,
            "keepIfClientReplies": False,
            "lastSeenMessageId": None,
            "force": False,
        }
        response = await post(api, desk.client_key, ref, **defaults)
        assert response.status_code == 201, response.text
        assert (await detail(api, desk.client_key, ref))["status"] == "customer_reply"

    async def test_a_client_reply_is_as_it_was(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        ref = await ticket_of(desk, db, NUMBER, status="Answered")
        response = await post(api, desk.client_key, ref, message="Thanks, but no.")
        assert response.status_code == 201, response.text
        assert "state" not in response.json()
        assert (await detail(api, desk.client_key, ref))["status"] == "customer_reply"
