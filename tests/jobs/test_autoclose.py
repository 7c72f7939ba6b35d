"""Auto-close (automation.md): an answered ticket quiet for its department's hours is closed
once, by the system, with a `System` reply; a client reply, even one a moment before, wins."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.jobs.events import ChangeEvent, on_event
from supportdesk.jobs.runner import Runner
from supportdesk.models import Reply, Status
from supportdesk.tickets import service
from supportdesk.tickets.automatic import SYSTEM, closing_text
from supportdesk.tickets.records import NewMessage
from tests.conversation_builders import client_actor, set_ticket
from tests.jobs.conftest import Desk, fail_on_event
from tests.support import recorded_statements

LATER = timedelta(seconds=5)  # past 0.001 hours (3.6 s)


async def test_an_answered_ticket_quiet_for_its_hours_is_closed_once_with_a_system_reply(
    desk: Desk,
) -> None:
    await desk.auto_close_after(0.001)
    opened = await desk.open()
    answer = await desk.answer(opened.ticket_number)
    assert (await desk.tick())["auto_close"] == 0, "not quiet for 3.6 s yet"
    made = await desk.tick(later=LATER)
    assert made["auto_close"] == 1
    ticket = await desk.ticket(opened.ticket_number)
    assert ticket.status == "Closed"
    last = ticket.replies[-1]
    assert (last.type, last.name, last.status) == ("System", "System", "Sent")
    assert last.body == "This ticket was closed automatically after 0.001 hours without a reply."
    assert not ticket.client_read, "the client has a message to read"
    assert (await desk.events(opened.ticket_number))[-1] == ("closed", "system", "automation")
    assert await desk.effects() == [f"autoclose:{opened.id}:{answer.message.public_id}"]
    # Again, from another worker: nothing more.
    assert (await desk.tick(later=LATER * 2, worker="other:2:bbb"))["auto_close"] == 0
    assert await desk.count(Reply.ticket_id == opened.id, Reply.type == "System") == 1


async def test_what_is_not_due_stays_open(desk: Desk) -> None:
    await desk.auto_close_after(0.001)
    waiting = await desk.open("the client wrote last")  # Open, the client's message latest
    replied = await desk.open("the client replied after staff")
    await desk.answer(replied.ticket_number)
    await desk.client_reply(replied.ticket_number)  # Client-Reply
    on_hold = await desk.open("answered On-Hold")
    await desk.answer(on_hold.ticket_number, status="On-Hold")  # not an auto-close status
    # Answered, but the client's message is the latest (staff set the status by hand).
    by_hand = await desk.open("status set by hand")
    await set_ticket(desk.db, by_hand.id, status_id=await _status_id(desk.db, "Answered"))
    assert (await desk.tick(later=LATER))["auto_close"] == 0
    for ticket in (waiting, replied, on_hold, by_hand):
        assert (await desk.ticket(ticket.ticket_number)).status != "Closed", ticket.subject
    await desk.auto_close_after(0)
    answered = await desk.open("department without auto-close")
    await desk.answer(answered.ticket_number)
    assert (await desk.tick(later=LATER))["auto_close"] == 0


async def test_hours_are_the_departments_and_a_batch_takes_them_all(
    desk: Desk, settings_for: Callable[..., Settings]
) -> None:
    await desk.auto_close_after(1)
    tickets = [await desk.open(f"ticket {i}") for i in range(7)]
    for ticket in tickets:
        await desk.answer(ticket.ticket_number)
    assert (await desk.tick(later=timedelta(minutes=59)))["auto_close"] == 0
    # A batch of 3: the runner goes on while there is more, in one tick.
    runner = Runner(desk.db, settings_for(jobs_batch_size=3), worker="batch:1:ccc")
    assert (await runner.tick(utcnow() + timedelta(minutes=61)))["auto_close"] == 7
    for ticket in tickets:
        shown = await desk.ticket(ticket.ticket_number)
        assert shown.status == "Closed"
        assert (
            shown.replies[-1].body
            == closing_text(1)
            == ("This ticket was closed automatically after 1 hour without a reply.")
        )


async def test_a_client_reply_committed_a_moment_before_wins(desk: Desk) -> None:
    await desk.auto_close_after(0.001)
    opened = await desk.open()
    await desk.answer(opened.ticket_number)
    await desk.client_reply(opened.ticket_number)
    assert (await desk.tick(later=LATER))["auto_close"] == 0
    assert (await desk.ticket(opened.ticket_number)).status == "Client-Reply"


async def test_a_client_reply_in_flight_wins_and_the_job_waits_or_skips(
    desk: Desk, settings_for: Callable[..., Settings]
) -> None:
    """The client's reply holds the ticket (its transaction open, the ticket locked) while the
    job runs, each on its own connection and loop as two processes would be: on PostgreSQL the
    job skips the locked ticket, on SQLite it waits for the write lock and then sees the reply.
    Either way the ticket is not closed and the client's reply stands."""
    await desk.auto_close_after(0.001)
    opened = await desk.open()
    await desk.answer(opened.ticket_number)
    settings = settings_for()
    holding = threading.Event()

    async def client_reply_held_open() -> None:
        database = Database(settings)
        try:
            async with database.transaction() as session:
                await service.post_message(
                    session,
                    client_actor(desk.world.client_id),
                    opened.ticket_number,
                    NewMessage(body="Wait, it is still broken!"),
                )
                holding.set()
                await asyncio.sleep(0.5)  # the job runs now
        finally:
            await database.dispose()

    async def job() -> dict[str, int]:
        database = Database(settings)
        try:
            return await Runner(database, settings, worker="job:1:ddd").tick(utcnow() + LATER)
        finally:
            await database.dispose()

    client = asyncio.create_task(asyncio.to_thread(asyncio.run, client_reply_held_open()))
    await asyncio.to_thread(holding.wait, 10)
    made = await asyncio.to_thread(asyncio.run, job())
    await client
    assert made["auto_close"] == 0
    ticket = await desk.ticket(opened.ticket_number)
    assert ticket.status == "Client-Reply"
    assert ticket.replies[-1].body == "Wait, it is still broken!"
    assert await desk.effects() == []


async def test_a_ticket_closed_and_answered_again_closes_again_with_a_new_key(
    desk: Desk,
) -> None:
    """On the real clock (the System reply of the first close is dated when it was made)."""
    await desk.auto_close_after(0.0002)  # 0.72 s
    opened = await desk.open()
    await desk.answer(opened.ticket_number)
    await asyncio.sleep(0.8)
    assert (await desk.tick())["auto_close"] == 1
    again = await desk.answer(opened.ticket_number, body="One more thing.")  # Answered again
    await asyncio.sleep(0.8)
    assert (await desk.tick())["auto_close"] == 1
    effects = await desk.effects()
    assert len(effects) == 2
    assert effects[1] == f"autoclose:{opened.id}:{again.message.public_id}"
    assert await desk.count(Reply.ticket_id == opened.id, Reply.type == "System") == 2


async def _status_id(db: Database, name: str) -> int:
    async with db.transaction() as session:
        found = await session.execute(select(Status.id).where(Status.name == name))
        return int(found.scalar_one())


async def _closing_statements(desk: Desk, app: FastAPI, count: int) -> int:
    tickets = [await desk.open(f"batch of {count}: {i}") for i in range(count)]
    for ticket in tickets:
        await desk.answer(ticket.ticket_number)
    with recorded_statements(app) as statements:
        assert (await desk.tick(later=LATER))["auto_close"] == count
    return len(statements)


async def test_a_batch_costs_a_fixed_number_of_statements_but_what_follows_each_event(
    desk: Desk, app: FastAPI
) -> None:
    """Finding, locking, the effect keys, the System replies, the tickets' new state, their
    versions and their `closed` events are a few statements for the whole batch; only what
    follows from each event (`on_event`: an outbox row, ...) is written per ticket."""
    await desk.auto_close_after(0.001)
    opened = await desk.open("one event")
    async with desk.db.transaction() as session:
        await session.execute(select(1))  # the transaction begun (SQLite's BEGIN is a statement)
        with recorded_statements(app) as statements:
            await on_event(
                session,
                ChangeEvent(
                    opened.id,
                    "closed",
                    {"status": {"from": "Answered", "to": "Closed"}},
                    utcnow(),
                    SYSTEM,
                ),
            )
    per_event = len(statements)
    four = await _closing_statements(desk, app, 4)
    eight = await _closing_statements(desk, app, 8)
    assert eight - four == 4 * per_event


async def test_a_ticket_that_cannot_be_closed_does_not_hold_back_the_others(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """What follows from one ticket's event fails (a fault put in `on_event` for the test):
    that ticket stays as it was and is due again, the rest of its batch is closed."""
    await desk.auto_close_after(0.001)
    tickets = [await desk.open(f"ticket {i}") for i in range(4)]
    for ticket in tickets:
        await desk.answer(ticket.ticket_number)
    bad = tickets[0].id
    fail_on_event(monkeypatch, bad, "closed")
    with caplog.at_level(logging.ERROR, logger="supportdesk.jobs"):
        assert (await desk.tick(later=LATER))["auto_close"] == 3
    assert [(await desk.ticket(t.ticket_number)).status for t in tickets] == [
        "Answered",
        "Closed",
        "Closed",
        "Closed",
    ]
    assert await desk.count(Reply.ticket_id == bad, Reply.type == "System") == 0
    assert any(getattr(record, "ticket_id", None) == bad for record in caplog.records)
    monkeypatch.undo()
    assert (await desk.tick(later=LATER))["auto_close"] == 1  # due again, and now closed
