"""`POST .../actions/merge` (model.md rule 7): B into A loses nothing, B is closed and still
resolves, the client of A sees B's messages and no note, and concurrent replies to either
ticket all land in A (or are refused, naming A, once B is merged)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from supportdesk.core.db import Database
from tests import builders, conversation_builders
from tests.api.v2.assertions import assert_problem, key
from tests.api.v2.calls import TICKETS
from tests.conversation.conftest import Desk
from tests.conversation.helpers import assert_conflict, detail, events, post, ticket_of

A, B = 710_001, 710_002
NOTE = "canary-note-5d1f: the client must never read this"


async def merge(
    api: httpx.AsyncClient, api_key: str, source: str, into: str, **extra: Any
) -> httpx.Response:
    return await api.post(
        f"{TICKETS}/{source}/actions/merge",
        headers=key(api_key),
        json={"intoTicketId": into, **extra},
    )


async def _v1(api: httpx.AsyncClient, api_key: str, number: int) -> dict[str, Any]:
    response = await api.get(f"/api/support/tickets/{number}", headers=key(api_key))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["data"]["ticket"]
    return found


@pytest.fixture
async def pair(db: Database, desk: Desk) -> tuple[str, str]:
    """A (with a reply an hour in, tag `vps`) and B of the same client, opened half an hour
    after A, with a file on its opening message, a reply with a file two hours in, a note, a
    tag, a subscriber and a linked service."""
    world = desk.cast.world
    a = await builders.ticket(
        db, number=A, dept_id=world.dept_id, client_id=world.client_id, tags=["vps"]
    )
    b = await builders.ticket(
        db,
        number=B,
        dept_id=world.dept_id,
        client_id=world.client_id,
        subject="Also: mail",
        body="And mail bounces too.",
        created_at=builders.OPENED + timedelta(minutes=30),
        tags=["dns", "vps"],
        subscriptions=[world.owner_id],
    )
    await conversation_builders.reply(db, a.id, body="A's answer")
    b_reply = await conversation_builders.reply(
        db, b.id, body="B's answer", created_at=builders.OPENED + timedelta(hours=2)
    )
    await builders.attachment(db, b.id, filename="opening.log")
    await builders.attachment(db, b.id, reply_id=b_reply, filename="reply.log")
    await builders.note(db, b.id, world.staff_id, NOTE)
    service = await builders.service(db, world.client_id)
    await builders.link_service(db, b.id, service)
    return (
        await conversation_builders.public_id_of(db, a.id),
        await conversation_builders.public_id_of(db, b.id),
    )


class TestMerge:
    async def test_b_into_a_moves_everything_in_time_order(
        self, api: httpx.AsyncClient, db: Database, desk: Desk, pair: tuple[str, str]
    ) -> None:
        a, b = pair
        response = await merge(api, desk.manager_key, b, a)
        assert response.status_code == 200, response.text
        merged = response.json()
        assert merged["id"] == a
        assert [m["body"] for m in merged["messages"]] == [
            "And mail bounces too.",
            "A's answer",
            "B's answer",
        ]
        opening = merged["messages"][0]
        assert (opening["sender"], opening["senderName"]) == ("customer", "Ada Lovelace")
        assert opening["sentAt"] == "2026-11-20T10:00:15.123Z"
        assert [f["filename"] for f in opening["attachments"]] == ["opening.log"]
        assert [f["filename"] for f in merged["messages"][2]["attachments"]] == ["reply.log"]
        assert merged["lastMessageAt"] == merged["messages"][2]["sentAt"]
        assert [s["serviceId"] for s in merged["linkedServices"]] != []

        staff_a = await _v1(api, desk.writer_key, A)
        assert staff_a["notes"] == [NOTE]
        assert staff_a["tags"] == ["dns", "vps"]
        assert staff_a["subscriptions"] == [str(desk.cast.world.owner_id)]
        staff_b = await _v1(api, desk.writer_key, B)
        assert staff_b["parent_id"] == staff_a["id"]
        assert staff_b["status"] == "Closed"
        assert staff_b["replies"] == []
        assert staff_b["tags"] == ["dns", "vps"]  # B keeps its own links
        row = await conversation_builders.ticket_row(db, B)
        assert row["merged_at"] is not None

        # The client of A sees the merged messages, and nothing of the note.
        client_a = await detail(api, desk.client_key, a)
        assert [m["body"] for m in client_a["messages"]] == [m["body"] for m in merged["messages"]]
        for path in (f"{TICKETS}/{a}", f"/api/support/tickets/{A}", f"{TICKETS}/{b}"):
            shown = await api.get(path, headers=key(desk.client_key))
            assert shown.status_code == 200, shown.text
            assert "canary-note" not in shown.text
        assert (await _v1(api, desk.client_key, A))["flags"] & 1 == 0

        b_events = await events(api, desk.writer_key, b)
        assert (b_events[-1]["kind"], b_events[-1]["changes"]["mergedInto"]["to"]) == ("merged", a)
        assert b_events[-1]["changes"]["status"] == {"from": "Open", "to": "Closed"}
        a_events = await events(api, desk.writer_key, a)
        assert a_events[-1]["kind"] == "merged_in"
        assert a_events[-1]["changes"]["mergedFrom"]["to"] == b
        assert a_events[-1]["changes"]["messages"]["to"] == 2

    async def test_a_merged_ticket_takes_no_more_messages_and_names_a(
        self, api: httpx.AsyncClient, desk: Desk, pair: tuple[str, str]
    ) -> None:
        a, b = pair
        assert (await merge(api, desk.manager_key, b, a)).status_code == 200
        for api_key in (desk.client_key, desk.writer_key):
            refused = await post(api, api_key, b, message="Late")
            body = assert_conflict(refused, "ticket_merged", ("mergedInto", "mergedIntoNumber"))
            assert (body["mergedInto"], body["mergedIntoNumber"]) == (a, str(A))
            assert a in body["detail"]
        assert (await post(api, desk.client_key, a, message="Here then")).status_code == 201

    async def test_the_refusals(
        self, api: httpx.AsyncClient, db: Database, desk: Desk, pair: tuple[str, str]
    ) -> None:
        a, b = pair
        assert_problem(await merge(api, desk.manager_key, a, a), 409, "conflict")
        assert_problem(await merge(api, desk.manager_key, a, str(A)), 409, "conflict")
        other = await ticket_of(desk, db, 710_003, client_id=desk.cast.world.other_client_id)
        different = await merge(api, desk.manager_key, other, a)
        assert "allowDifferentClients" in assert_problem(different, 409, "conflict")["detail"]
        assert_problem(await merge(api, desk.client_key, b, a), 403, "forbidden")
        assert_problem(await merge(api, desk.writer_key, b, a), 403, "forbidden")
        assert_problem(await merge(api, desk.manager_key, b, "tkt_" + "0" * 26), 404, "not_found")
        assert_problem(await merge(api, desk.manager_key, b, "nothing"), 404, "not_found")
        assert (await merge(api, desk.manager_key, b, a)).status_code == 200
        assert_problem(await merge(api, desk.manager_key, b, a), 409, "conflict")  # from merged
        third = await ticket_of(desk, db, 710_004)
        assert_problem(await merge(api, desk.manager_key, third, b), 409, "conflict")  # into merged
        assert (
            await merge(api, desk.manager_key, other, a, allowDifferentClients=True)
        ).status_code == 200

    async def test_numbers_work_as_references(
        self, api: httpx.AsyncClient, desk: Desk, pair: tuple[str, str]
    ) -> None:
        a, _ = pair
        response = await merge(api, desk.manager_key, str(B), str(A))
        assert response.status_code == 200, response.text
        assert response.json()["id"] == a


ROUNDS = 3
EACH = 6  # replies per side per ticket


async def test_a_merge_under_concurrent_replies_loses_no_message(
    api: httpx.AsyncClient, db: Database, desk: Desk
) -> None:
    """Client and staff reply to both tickets while the merge runs: every 201 is in A after,
    and every refusal is a reply to B after the merge, naming A."""
    for round_ in range(ROUNDS):
        a = await ticket_of(desk, db, 720_000 + 2 * round_)
        b = await ticket_of(desk, db, 720_001 + 2 * round_)
        replies = [
            post(api, api_key, target, message=f"{name} {i} to {target}")
            for i in range(EACH)
            for target in (a, b)
            for name, api_key in (("client", desk.client_key), ("staff", desk.writer_key))
        ]
        middle = len(replies) // 2
        calls = [*replies[:middle], merge(api, desk.manager_key, b, a), *replies[middle:]]
        async with asyncio.timeout(120):
            answers = await asyncio.gather(*calls)
        merged = answers[middle]
        assert merged.status_code == 200, merged.text
        posted = [answer for index, answer in enumerate(answers) if index != middle]
        accepted = [answer.json()["id"] for answer in posted if answer.status_code == 201]
        for answer in posted:
            if answer.status_code != 201:
                body = assert_conflict(answer, "ticket_merged", ("mergedInto", "mergedIntoNumber"))
                assert body["mergedInto"] == a
                assert f"to {b}" in answer.request.content.decode()
        in_a = [m["id"] for m in (await detail(api, desk.writer_key, a))["messages"]]
        assert set(accepted) <= set(in_a), set(accepted) - set(in_a)
        assert len(in_a) == len(accepted) + 1  # and B's opening message
        assert (await detail(api, desk.writer_key, b))["messages"] == []
