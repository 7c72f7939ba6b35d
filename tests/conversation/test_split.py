"""`POST .../actions/split`: one message becomes a new ticket's opening message, its files
with it; the new ticket has the same client and department and points back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from supportdesk.core.db import Database
from tests import builders, conversation_builders
from tests.api.v2.assertions import assert_invalid, assert_problem, key
from tests.api.v2.calls import TICKETS
from tests.conversation.conftest import Desk
from tests.conversation.helpers import detail, events, post, ticket_of

NUMBER = 730_001


async def split(api: httpx.AsyncClient, api_key: str, ref: str, **body: Any) -> httpx.Response:
    return await api.post(f"{TICKETS}/{ref}/actions/split", headers=key(api_key), json=body)


async def test_a_message_becomes_a_new_ticket(
    api: httpx.AsyncClient, db: Database, desk: Desk
) -> None:
    world = desk.cast.world
    ticket = await builders.ticket(
        db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id, priority="high"
    )
    ref = await conversation_builders.public_id_of(db, ticket.id)
    await conversation_builders.reply(db, ticket.id, body="Rebooted it.")
    reply_id = await conversation_builders.reply(
        db,
        ticket.id,
        body="Also, my invoice is wrong.",
        type="Client",
        name="Ada Lovelace",
        replier_id=world.client_id,
        created_at=builders.OPENED + timedelta(hours=2),
    )
    await builders.attachment(db, ticket.id, reply_id=reply_id, filename="invoice.pdf")
    old = await detail(api, desk.writer_key, ref)
    message_id = old["messages"][1]["id"]

    response = await split(api, desk.manager_key, ref, messageId=message_id, subject="Invoice")
    assert response.status_code == 201, response.text
    new = response.json()
    assert new["id"] != ref
    assert (new["subject"], new["body"], new["status"]) == (
        "Invoice",
        "Also, my invoice is wrong.",
        "open",
    )
    assert (new["priority"], new["departmentSlug"]) == ("high", old["departmentSlug"])
    assert new["createdAt"] == old["messages"][1]["sentAt"]
    assert [f["filename"] for f in new["attachments"]] == ["invoice.pdf"]
    assert new["messages"] == []

    after = await detail(api, desk.writer_key, ref)
    assert [m["body"] for m in after["messages"]] == ["Rebooted it."]
    assert after["lastMessageAt"] == old["messages"][0]["sentAt"]
    assert after["attachments"] == []
    # The client owns the new ticket, which points back at the old one.
    assert (await detail(api, desk.client_key, new["id"]))["subject"] == "Invoice"
    row = await conversation_builders.ticket_row(db, int(new["number"]))
    assert (row["parent_id"], row["client_id"], row["merged_at"]) == (
        ticket.id,
        world.client_id,
        None,
    )
    old_events = await events(api, desk.writer_key, ref)
    assert (old_events[-1]["kind"], old_events[-1]["changes"]["splitInto"]["to"]) == (
        "split",
        new["id"],
    )
    new_events = await events(api, desk.writer_key, new["id"])
    assert [e["kind"] for e in new_events] == ["opened"]
    assert new_events[0]["changes"]["splitFrom"]["to"] == ref


async def test_the_refusals(api: httpx.AsyncClient, db: Database, desk: Desk) -> None:
    ref = await ticket_of(desk, db, NUMBER)
    sent = (await post(api, desk.writer_key, ref)).json()["id"]
    draft = (await post(api, desk.writer_key, ref, draft=True)).json()["id"]
    opening = await split(api, desk.manager_key, ref, messageId=ref, subject="x")
    assert "opening message" in assert_problem(opening, 409, "conflict")["detail"]
    assert_problem(
        await split(api, desk.manager_key, ref, messageId=draft, subject="x"), 409, "conflict"
    )
    unknown = "tmsg_" + "0" * 26
    assert_problem(
        await split(api, desk.manager_key, ref, messageId=unknown, subject="x"), 404, "not_found"
    )
    assert_invalid(await split(api, desk.manager_key, ref, messageId=sent, subject=" "), "/subject")
    assert_invalid(await split(api, desk.manager_key, ref, subject="x"), "/messageId")
    assert_problem(
        await split(api, desk.client_key, ref, messageId=sent, subject="x"), 403, "forbidden"
    )
    assert_problem(
        await split(api, desk.writer_key, ref, messageId=sent, subject="x"), 403, "forbidden"
    )
    assert [m["id"] for m in (await detail(api, desk.writer_key, ref))["messages"]] == [sent]
