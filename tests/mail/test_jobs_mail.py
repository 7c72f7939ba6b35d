"""Mails from what the jobs do, through the real runner: an auto-closed ticket tells its client
(once, however many ticks), a scheduled reply tells the client when it is sent, not before;
the runner's mail task then delivers them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.jobs.runner import Runner
from supportdesk.tickets import service
from supportdesk.tickets.conversation import ReplyOptions
from supportdesk.tickets.records import NewMessage
from tests import builders
from tests.conversation_builders import set_department
from tests.mail.conftest import open_ticket, outbox, smtp_settings, staff_actor
from tests.mail.peer import HOST, Inbox, smtp_server

LATER = timedelta(seconds=5)  # past 0.001 hours


async def test_an_auto_closed_ticket_tells_its_client_once(
    db: Database, mail_env: Callable[..., None], settings_for: Callable[..., Settings]
) -> None:
    world = await builders.world(db)
    await set_department(db, world.dept_id, auto_close_hours=0.001)
    _, number, _ = await open_ticket(db, world)
    async with db.transaction() as session:
        await service.post_message(
            session, staff_actor(world.staff_id), number, NewMessage("Fixed.")
        )
    inbox = Inbox()
    with smtp_server(inbox) as port:
        runner = Runner(db, smtp_settings(settings_for, f"smtp://{HOST}:{port}"), worker="t:1:a")
        made = await runner.tick(utcnow() + LATER)
        assert made["auto_close"] == 1
        assert made["mail"] == 4  # opened (client, department), the answer, the close
        again = await runner.tick(utcnow() + LATER * 2)
        assert (again["auto_close"], again["mail"]) == (0, 0)
    kinds = [mail.kind for mail in await outbox(db)]
    assert kinds == ["client_opened", "staff_opened", "client_reply", "client_closed"]
    closed = inbox.received[-1]
    assert f"[#{number}]" in closed.message["Subject"]
    assert "closed automatically" in closed.part("plain")
    assert "closed automatically" in closed.part("html")
    # The System reply that says so is not a second mail.
    assert sum("closed" in got.message["Subject"].lower() for got in inbox.received) == 1


async def test_a_scheduled_reply_mails_the_client_when_it_is_sent(
    db: Database, mail_env: Callable[..., None], settings_for: Callable[..., Settings]
) -> None:
    world = await builders.world(db)
    _, number, _ = await open_ticket(db, world)
    send_at = utcnow() + timedelta(seconds=2)
    async with db.transaction() as session:
        await service.post_message(
            session,
            staff_actor(world.staff_id),
            number,
            NewMessage("Your disk was replaced."),
            ReplyOptions(send_at=send_at),
        )
    assert [mail.kind for mail in await outbox(db)] == ["client_opened", "staff_opened"]
    runner = Runner(db, settings_for(), worker="t:1:a")  # no SMTP: mails are kept
    await runner.tick(send_at + timedelta(seconds=1))
    queued = await outbox(db)
    assert [mail.kind for mail in queued] == ["client_opened", "staff_opened", "client_reply"]
    assert "Your disk was replaced." in queued[-1].text_body
    assert {mail.status for mail in queued} == {"pending"}
