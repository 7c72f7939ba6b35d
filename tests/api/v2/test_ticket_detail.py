"""`GET /api/v2/support/tickets/{id}`: the v2 detail, by `tkt_` id or number (v2.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from supportdesk.core.db import Database
from supportdesk.keys import tokens
from tests import builders, conversation_builders
from tests.api.assertions import assert_rate_limit_headers
from tests.api.v2.assertions import (
    assert_problem,
    assert_rate_limited_problem,
    assert_ticket_shape,
    assert_v2_request_id,
    comparable,
    key,
)
from tests.builders import OPENED, BuiltTicket
from tests.conversation_builders import Cast

NUMBER = 616828
OTHER_NUMBER = 727939
TICKETS = "/api/v2/support/tickets"


def url(ref: int | str = NUMBER) -> str:
    return f"{TICKETS}/{ref}"


def detail(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    ticket: dict[str, Any] = response.json()
    return ticket


@dataclass(frozen=True, slots=True)
class Conversation:
    ticket: BuiltTicket
    public_id: str
    client_reply: int
    staff_reply: int
    system_reply: int
    draft_reply: int
    opening_file: int
    client_reply_file: int
    draft_file: int


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


@pytest.fixture
async def conversation(db: Database, cast: Cast) -> Conversation:
    """A ticket with every kind of message, files in three places and two linked services."""
    world = cast.world
    ticket = await builders.ticket(
        db,
        number=NUMBER,
        dept_id=world.dept_id,
        client_id=world.client_id,
        owner_id=world.owner_id,
        status="Answered",
        priority="high",
        cc="boss@example.com,cto@example.com",
        last_reply_at=OPENED + timedelta(hours=3),
        updated_at=OPENED + timedelta(hours=4),
    )
    client_reply = await conversation_builders.reply(
        db,
        ticket.id,
        type="Client",
        replier_id=world.client_id,
        name="Ada Lovelace",
        body="Still broken.",
        created_at=OPENED + timedelta(hours=1),
    )
    staff_reply = await conversation_builders.reply(
        db,
        ticket.id,
        replier_id=world.owner_id,
        name="John Doe",
        body="Your root password is in this message.",
        flags=16,
        created_at=OPENED + timedelta(hours=2),
    )
    system_reply = await conversation_builders.reply(
        db,
        ticket.id,
        type="System",
        name="supportdesk",
        body="Escalated to level 2.",
        created_at=OPENED + timedelta(hours=3),
    )
    draft_reply = await conversation_builders.reply(
        db, ticket.id, status="Draft", body="Draft", created_at=OPENED + timedelta(hours=4)
    )
    vps = await builders.service(db, world.client_id)
    domain = await builders.service(
        db, world.client_id, service_type="domain", name="example.se", next_due=None, hostname=""
    )
    await builders.link_service(
        db, ticket.id, vps, ai_summary="Kernel panic after an upgrade.", ai_helpful=True
    )
    await builders.link_service(db, ticket.id, domain)
    return Conversation(
        ticket=ticket,
        public_id=await conversation_builders.public_id_of(db, ticket.id),
        client_reply=client_reply,
        staff_reply=staff_reply,
        system_reply=system_reply,
        draft_reply=draft_reply,
        opening_file=await builders.attachment(db, ticket.id, filename="boot.log"),
        client_reply_file=await builders.attachment(
            db, ticket.id, reply_id=client_reply, filename="dmesg.txt", data=b"dmesg output"
        ),
        draft_file=await builders.attachment(
            db, ticket.id, reply_id=draft_reply, filename="draft.txt"
        ),
    )


class TestGetTicket:
    # --- 401 / 403 ---------------------------------------------------------------------

    async def test_no_key_is_401_unauthorized(
        self, api: httpx.AsyncClient, opened: BuiltTicket
    ) -> None:
        response = await api.get(url())
        assert_problem(response, 401, "unauthorized")
        assert_rate_limit_headers(response)

    @pytest.mark.parametrize("bad", ["junk", "unknown", "revoked"])
    async def test_a_bad_key_is_401_unauthorized(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, opened: BuiltTicket, bad: str
    ) -> None:
        presented = bad
        if bad == "unknown":
            presented = tokens.generate()
        elif bad == "revoked":
            key_id, presented = await builders.api_key(db, client_id=cast.world.client_id)
            await builders.update_key(db, key_id, revoked_at=datetime.now(UTC))
        assert_problem(await api.get(url(), headers=key(presented)), 401, "unauthorized")

    async def test_a_key_without_read_support_is_403_forbidden(
        self, api: httpx.AsyncClient, cast: Cast, opened: BuiltTicket
    ) -> None:
        response = await api.get(url(), headers=key(cast.account_only_key))
        body = assert_problem(response, 403, "forbidden")
        assert "read:support" in body["detail"]

    async def test_a_suspended_clients_key_is_403_whatever_the_id(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        for ref in (NUMBER, 999999):
            response = await api.get(url(ref), headers=key(cast.suspended_key))
            assert_problem(response, 403, "forbidden")

    # --- 404 ---------------------------------------------------------------------------

    async def test_an_unknown_id_is_404_not_found(
        self, api: httpx.AsyncClient, cast: Cast, opened: BuiltTicket
    ) -> None:
        for ref in (999999, "tkt_" + "0" * 26):
            for api_key in (cast.client_key, cast.staff_key):
                assert_problem(await api.get(url(ref), headers=key(api_key)), 404, "not_found")

    @pytest.mark.parametrize("by", ["number", "tkt_id"])
    async def test_another_clients_ticket_is_the_same_404_as_an_unknown_one(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, theirs: BuiltTicket, by: str
    ) -> None:
        mine: int | str
        unknown: int | str
        if by == "number":
            mine, unknown = OTHER_NUMBER, 999999
        else:
            mine, unknown = (
                await conversation_builders.public_id_of(db, theirs.id),
                "tkt_" + ("0" * 26),
            )
        not_yours = await api.get(url(mine), headers=key(cast.client_key))
        missing = await api.get(url(unknown), headers=key(cast.client_key))
        assert_problem(not_yours, 404, "not_found")
        assert_problem(missing, 404, "not_found")
        assert comparable(not_yours) == comparable(missing)
        assert not_yours.headers["content-type"] == missing.headers["content-type"]
        # ... and its owner does see it.
        assert (await api.get(url(mine), headers=key(cast.other_key))).status_code == 200

    @pytest.mark.parametrize("ref", ["tkt_nope", "0", "1" * 19, "TKT_" + "0" * 26])
    async def test_an_id_that_names_no_ticket_is_the_same_404_too(
        self, api: httpx.AsyncClient, cast: Cast, theirs: BuiltTicket, ref: str
    ) -> None:
        """README: a ticket that does not exist and one the key may not see get the same 404;
        an id that cannot name a ticket names one that does not exist."""
        nothing = await api.get(url(ref), headers=key(cast.client_key))
        not_yours = await api.get(url(OTHER_NUMBER), headers=key(cast.client_key))
        assert_problem(nothing, 404, "not_found")
        assert comparable(nothing) == comparable(not_yours)

    async def test_an_internal_ticket_is_404_for_its_client_and_shown_to_staff(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await builders.ticket(
            db, number=NUMBER, dept_id=cast.world.dept_id, client_id=cast.world.client_id, flags=16
        )
        hidden = await api.get(url(), headers=key(cast.client_key))
        missing = await api.get(url(999999), headers=key(cast.client_key))
        assert_problem(hidden, 404, "not_found")
        assert comparable(hidden) == comparable(missing)
        assert detail(await api.get(url(), headers=key(cast.staff_key)))["number"] == str(NUMBER)

    # --- 405 / 406 / 429 ---------------------------------------------------------------

    async def test_other_methods_are_405(
        self, api: httpx.AsyncClient, cast: Cast, opened: BuiltTicket
    ) -> None:
        for method in ("PUT", "DELETE"):  # PATCH is the desk's (tests/desk)
            response = await api.request(method, url(), headers=key(cast.staff_key))
            assert_problem(response, 405, "method_not_allowed")
            assert "GET" in response.headers["allow"]

    async def test_accept_that_rules_out_json_is_406(
        self, api: httpx.AsyncClient, cast: Cast, opened: BuiltTicket
    ) -> None:
        response = await api.get(url(), headers={**key(cast.client_key), "Accept": "text/html"})
        assert_problem(response, 406, "not_acceptable")

    async def test_the_keys_rate_limit_gives_429(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, opened: BuiltTicket
    ) -> None:
        limited = await conversation_builders.write_key(
            db, cast.world.client_id, rate_limit_per_minute=2
        )
        responses = [await api.get(url(), headers=key(limited)) for _ in range(3)]
        assert [response.status_code for response in responses] == [200, 200, 429]
        assert_rate_limited_problem(responses[2])
        for response in responses:
            assert_rate_limit_headers(response)
            assert response.headers["ratelimit-policy"] == '"key";q=2;w=60'

    # --- 200 ---------------------------------------------------------------------------

    async def test_by_tkt_id_and_by_number_is_the_same_ticket(
        self, api: httpx.AsyncClient, cast: Cast, conversation: Conversation
    ) -> None:
        by_number = detail(await api.get(url(NUMBER), headers=key(cast.client_key)))
        by_id = detail(await api.get(url(conversation.public_id), headers=key(cast.client_key)))
        assert by_number == by_id
        assert (by_id["id"], by_id["number"]) == (conversation.public_id, str(NUMBER))

    @pytest.mark.parametrize("viewer", ["client_key", "staff_key"])
    async def test_the_detail_has_v2s_keys_and_types(
        self, api: httpx.AsyncClient, cast: Cast, conversation: Conversation, viewer: str
    ) -> None:
        response = await api.get(url(), headers=key(getattr(cast, viewer)))
        ticket = detail(response)
        assert_v2_request_id(response)
        assert_rate_limit_headers(response)
        assert "success" not in ticket, "v2 resources are bare"
        assert_ticket_shape(ticket, detail=True)
        # Every collection is exercised with items, so their items' shapes were checked.
        assert ticket["attachments"]
        assert ticket["messages"]
        assert ticket["linkedServices"]
        assert any(message["attachments"] for message in ticket["messages"])

    async def test_the_values_follow_the_model(
        self, api: httpx.AsyncClient, cast: Cast, conversation: Conversation
    ) -> None:
        ticket = detail(await api.get(url(), headers=key(cast.client_key)))
        assert ticket["id"] == conversation.public_id
        assert ticket["number"] == str(NUMBER)
        assert ticket["subject"] == "My VPS does not boot"
        assert ticket["body"] == "Since the last reboot the console shows a kernel panic."
        assert (ticket["status"], ticket["priority"]) == ("answered", "high")
        assert ticket["departmentSlug"] == cast.dept_slug
        assert ticket["departmentName"] == "Technical Support"
        assert ticket["createdAt"] == "2026-11-20T09:30:15.123Z"
        assert ticket["lastMessageAt"] == "2026-11-20T12:30:15.123Z"
        assert ticket["updatedAt"] == "2026-11-20T13:30:15.123Z"
        assert ticket["ccEmails"] == ["boss@example.com", "cto@example.com"]
        assert ticket["requesterName"] == "Ada Lovelace"
        assert (ticket["aiSummary"], ticket["aiHelpful"]) == (
            "Kernel panic after an upgrade.",
            True,
        )
        vps, domain = ticket["linkedServices"]
        assert vps["details"] == {
            "status": "Active",
            "nextDue": "2026-12-01",
            "hostname": "vps-01.example.net",
        }
        assert (vps["serviceType"], vps["serviceName"]) == ("vps", "vps-01")
        assert domain["details"] == {"status": "Active", "nextDue": None, "hostname": None}

    async def test_messages_are_the_sent_replies_oldest_first_with_their_senders(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, conversation: Conversation
    ) -> None:
        for viewer in (cast.client_key, cast.staff_key):
            ticket = detail(await api.get(url(), headers=key(viewer)))
            messages = ticket["messages"]
            assert [m["body"] for m in messages] == [
                "Still broken.",
                "Your root password is in this message.",
                "Escalated to level 2.",
            ], "no drafts in v2, for staff either"
            assert ticket["messageCount"] == 3
            assert [m["sender"] for m in messages] == ["customer", "staff", "automation"]
            assert [m["senderName"] for m in messages] == [
                "Ada Lovelace",
                "John Doe",
                "supportdesk",
            ]
            assert [m["encrypted"] for m in messages] == [False, True, False]
            assert [m["sentAt"] for m in messages] == [
                "2026-11-20T10:30:15.123Z",
                "2026-11-20T11:30:15.123Z",
                "2026-11-20T12:30:15.123Z",
            ]
            assert {m["ticketId"] for m in messages} == {conversation.public_id}
            assert len({m["id"] for m in messages}) == 3

    async def test_files_sit_on_the_opening_message_or_on_their_reply(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, conversation: Conversation
    ) -> None:
        files = {
            row_id: public
            for row_id, public, _ in await conversation_builders.attachment_ids(
                db, conversation.ticket.id
            )
        }
        for viewer in (cast.client_key, cast.staff_key):
            ticket = detail(await api.get(url(), headers=key(viewer)))
            (opening,) = ticket["attachments"]
            assert opening["id"] == files[conversation.opening_file]
            assert (opening["filename"], opening["contentType"]) == ("boot.log", "text/plain")
            assert opening["byteLength"] == len(b"kernel panic - not syncing")
            assert opening["uploadedAt"] == "2026-11-20T09:30:15.123Z"
            first, second, third = ticket["messages"]
            (on_reply,) = first["attachments"]
            assert on_reply["id"] == files[conversation.client_reply_file]
            assert on_reply["byteLength"] == len(b"dmesg output")
            assert second["attachments"] == third["attachments"] == []
            shown = {a["id"] for a in ticket["attachments"]} | {
                a["id"] for m in ticket["messages"] for a in m["attachments"]
            }
            assert files[conversation.draft_file] not in shown

    @pytest.mark.parametrize(
        ("status", "v2_status"),
        [
            ("Open", "open"),
            ("Answered", "answered"),
            ("Client-Reply", "customer_reply"),
            ("In-Progress", "in_progress"),
            ("On-Hold", "on_hold"),
            ("Closed", "closed"),
            ("Waiting-Vendor", "unknown"),
        ],
    )
    async def test_statuses_map_to_v2s_names(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, status: str, v2_status: str
    ) -> None:
        if status == "Waiting-Vendor":
            await builders.custom_status(db, status)
        await builders.ticket(
            db,
            number=NUMBER,
            dept_id=cast.world.dept_id,
            client_id=cast.world.client_id,
            status=status,
        )
        assert detail(await api.get(url(), headers=key(cast.client_key)))["status"] == v2_status

    @pytest.mark.parametrize("priority", ["low", "medium", "high", "urgent", "critical"])
    async def test_all_five_priorities_are_shown_by_name(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, priority: str
    ) -> None:
        await builders.ticket(
            db,
            number=NUMBER,
            dept_id=cast.world.dept_id,
            client_id=cast.world.client_id,
            priority=priority,
        )
        assert detail(await api.get(url(), headers=key(cast.client_key)))["priority"] == priority

    async def test_absent_text_is_null_and_empty_collections_are_empty(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await builders.ticket(
            db, number=NUMBER, dept_id=cast.world.dept_id, client_id=None, name="", type="Email"
        )
        ticket = detail(await api.get(url(), headers=key(cast.staff_key)))
        assert_ticket_shape(ticket, detail=True)
        assert ticket["requesterName"] is None
        assert (ticket["aiSummary"], ticket["aiHelpful"]) == (None, None)
        assert ticket["ccEmails"] == ticket["linkedServices"] == []
        assert ticket["attachments"] == ticket["messages"] == []
        assert ticket["messageCount"] == 0
        assert ticket["lastMessageAt"] == ticket["createdAt"] == ticket["updatedAt"]

    async def test_reading_marks_the_ticket_read_for_the_readers_side(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        built = await builders.ticket(
            db,
            number=NUMBER,
            dept_id=cast.world.dept_id,
            client_id=cast.world.client_id,
            client_read=False,
            admin_read=False,
        )
        detail(await api.get(url(), headers=key(cast.client_key)))
        row = await conversation_builders.ticket_row(db, NUMBER)
        assert (row["client_read"], row["admin_read"]) == (True, False)
        assert row["updated_at"] == OPENED, "being read is not a change"
        detail(await api.get(url(), headers=key(cast.staff_key)))
        row = await conversation_builders.ticket_row(db, built.number)
        assert (row["client_read"], row["admin_read"]) == (True, True)


class TestAcrossGenerations:
    async def test_a_ticket_opened_in_v1_reads_the_same_in_v2(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        service_id = await builders.service(db, cast.world.client_id, service_type="hosting")
        opened = await api.post(
            "/api/support/tickets",
            headers=key(cast.client_key),
            json={
                "dept_id": cast.world.dept_id,
                "subject": "Mail bounces",
                "body": "Since this morning.",
                "priority": 3,
                "context": {"service_type": "hosting", "service_id": service_id},
                "ai_summary": "SPF record missing.",
            },
        )
        assert opened.status_code == 200, opened.text
        v1 = opened.json()["data"]["ticket"]
        number = v1["number"]
        ticket = detail(await api.get(url(number), headers=key(cast.client_key)))
        assert_ticket_shape(ticket, detail=True)
        assert ticket["number"] == str(number)
        assert (ticket["subject"], ticket["body"]) == ("Mail bounces", "Since this morning.")
        assert (ticket["status"], ticket["priority"]) == ("open", "urgent")
        assert (ticket["departmentSlug"], ticket["departmentName"]) == (
            cast.dept_slug,
            v1["deptname"],
        )
        assert ticket["requesterName"] == v1["name"]
        assert ticket["createdAt"][:19].replace("T", " ") == v1["date"]
        assert ticket["createdAt"] == ticket["updatedAt"] == ticket["lastMessageAt"]
        assert ticket["messages"] == ticket["attachments"] == []
        (link,) = ticket["linkedServices"]
        assert (link["serviceType"], link["serviceId"]) == ("hosting", str(service_id))
        assert (ticket["aiSummary"], ticket["aiHelpful"]) == ("SPF record missing.", None)
        by_id = detail(await api.get(url(ticket["id"]), headers=key(cast.client_key)))
        assert by_id["number"] == str(number)
