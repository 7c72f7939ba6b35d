"""Scheduled replies (automation.md): sent at `sendAt` exactly once, by the system, changing
the ticket as a staff reply does; a client reply before then cancels them (each becomes a
draft again) unless they were created with `keepIfClientReplies`."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from supportdesk.core.clock import utcnow
from supportdesk.models import Reply
from tests.jobs.conftest import Desk, fail_on_event

SOON = timedelta(seconds=2)
LATER = timedelta(seconds=5)


async def test_a_scheduled_reply_is_sent_at_its_time_once(desk: Desk) -> None:
    opened = await desk.open()
    scheduled = await desk.answer(
        opened.ticket_number, body="Your VPS is back.", send_at=utcnow() + SOON, status="On-Hold"
    )
    message_id = scheduled.message.public_id
    assert (await desk.tick())["scheduled_replies"] == 0, "not yet"
    before = await desk.ticket(opened.ticket_number)
    assert before.status == "Open"
    made = await desk.tick(later=LATER)
    assert made["scheduled_replies"] == 1
    ticket = await desk.ticket(opened.ticket_number)
    [sent] = [reply for reply in ticket.replies if reply.public_id == message_id]
    assert sent.status == "Sent"
    assert ticket.status == "On-Hold", "the status the message named"
    assert not ticket.client_read
    assert ticket.last_reply_at > before.last_reply_at
    kinds = await desk.events(opened.ticket_number)
    assert kinds[-1] == ("replied", "system", "automation")
    assert await desk.effects() == [f"scheduled:{message_id}"]
    assert (await desk.tick(later=LATER * 2, worker="other:2:bbb"))["scheduled_replies"] == 0
    assert await desk.count(Reply.public_id == message_id, Reply.status == "Sent") == 1


async def test_a_client_reply_before_its_time_cancels_it_unless_kept(desk: Desk) -> None:
    opened = await desk.open()
    cancelled = await desk.answer(opened.ticket_number, body="cancelled", send_at=utcnow() + SOON)
    kept = await desk.answer(
        opened.ticket_number, body="kept", send_at=utcnow() + SOON, keep_if_client_replies=True
    )
    await desk.client_reply(opened.ticket_number)
    ticket = await desk.ticket(opened.ticket_number)
    states = {reply.public_id: reply.status for reply in ticket.replies}
    assert states[cancelled.message.public_id] == "Draft"
    assert states[kept.message.public_id] == "Scheduled"
    assert (await desk.events(opened.ticket_number))[-1] == (
        "message_edited",
        "system",
        "automation",
    )
    assert (await desk.tick(later=LATER))["scheduled_replies"] == 1
    ticket = await desk.ticket(opened.ticket_number)
    states = {reply.public_id: reply.status for reply in ticket.replies}
    assert states == {
        **states,
        cancelled.message.public_id: "Draft",
        kept.message.public_id: "Sent",
    }
    assert ticket.status == "Answered"
    assert await desk.effects() == [f"scheduled:{kept.message.public_id}"]


async def test_a_client_reply_after_its_time_does_not_cancel_it(desk: Desk) -> None:
    """Due already, only not yet picked up by the next tick: it goes out."""
    opened = await desk.open()
    scheduled = await desk.answer(opened.ticket_number, send_at=utcnow() + timedelta(seconds=0.3))
    await asyncio.sleep(0.4)
    await desk.client_reply(opened.ticket_number)
    assert (await desk.tick())["scheduled_replies"] == 1
    ticket = await desk.ticket(opened.ticket_number)
    [sent] = [reply for reply in ticket.replies if reply.public_id == scheduled.message.public_id]
    assert sent.status == "Sent"


async def test_many_due_messages_of_one_ticket_are_each_sent_once(desk: Desk) -> None:
    opened = await desk.open()
    ids = [
        (
            await desk.answer(opened.ticket_number, body=f"part {i}", send_at=utcnow() + SOON)
        ).message.public_id
        for i in range(4)
    ]
    assert (await desk.tick(later=LATER))["scheduled_replies"] == 4
    assert sorted(await desk.effects()) == sorted(f"scheduled:{i}" for i in ids)
    events = [kind for kind, _, _ in await desk.events(opened.ticket_number)]
    assert events.count("replied") == 4


async def test_a_message_that_cannot_be_sent_does_not_hold_back_the_others(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What follows from one message's event fails (a fault put in `on_event` for the test):
    that message stays scheduled and due, the others of its batch are sent."""
    tickets = [await desk.open(f"ticket {i}") for i in range(3)]
    ids = [
        (await desk.answer(ticket.ticket_number, send_at=utcnow() + SOON)).message.public_id
        for ticket in tickets
    ]
    bad = tickets[1].id
    fail_on_event(monkeypatch, bad, "replied")
    assert (await desk.tick(later=LATER))["scheduled_replies"] == 2
    states = [await desk.count(Reply.public_id == i, Reply.status == "Sent") for i in ids]
    assert states == [1, 0, 1]
    monkeypatch.undo()
    assert (await desk.tick(later=LATER))["scheduled_replies"] == 1
    assert sorted(await desk.effects()) == sorted(f"scheduled:{i}" for i in ids)
