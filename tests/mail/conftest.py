"""The mail tests' scene: a ticket's life through the services (opened with a cc, given a bcc
and an owner, a note and a draft with canary text, a staff reply, a client reply, closed), the
process's mail settings, and the sender job run as the runner runs it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from supportdesk.core.actor import VIA_API_V2, Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings, get_settings
from supportdesk.core.db import Database
from supportdesk.core.scopes import MANAGE_SUPPORT, READ_SUPPORT, WRITE_SUPPORT
from supportdesk.jobs.task import JobContext
from supportdesk.mail import repository
from supportdesk.mail.models import MailOutbox
from supportdesk.mail.repository import MailRow
from supportdesk.mail.sender import send_due_mail
from supportdesk.models import Staff
from supportdesk.tickets import desk, notes, service
from supportdesk.tickets.conversation import ReplyOptions
from supportdesk.tickets.records import NewMessage, NewTicket, TicketEdit
from tests import builders

MAIL_FROM = "HostUp Support <help@hostup.example>"
PUBLIC_URL = "https://help.hostup.example"
COMPANY = "HostUp AB"
NOTE_CANARY = "CANARY-NOTE-7f3a"
DRAFT_CANARY = "CANARY-DRAFT-91bc"
SUBJECT = "Login <b>broken</b> & slow"
CC = "boss@example.com"
BCC = "audit@example.org"
STAFF_SCOPES = frozenset({READ_SUPPORT, WRITE_SUPPORT, MANAGE_SUPPORT})


@pytest.fixture
def mail_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[Callable[..., None]]:
    """The process's settings (what a change's mails are rendered with, what the CLI reads),
    on the test database; `set(NAME=...)` sets more of them."""

    def set_env(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"SUPPORTDESK_{name}", value)
        get_settings.cache_clear()

    set_env(
        DATABASE_URL=database_url, MAIL_FROM=MAIL_FROM, PUBLIC_URL=PUBLIC_URL, COMPANY_NAME=COMPANY
    )
    yield set_env
    monkeypatch.undo()
    get_settings.cache_clear()


@dataclass(frozen=True, slots=True)
class Life:
    world: builders.World
    number: int
    acc_hash: str
    ticket_id: int
    staff_emails: tuple[str, ...]


def staff_actor(staff_id: int) -> Actor:
    return Actor.staff(staff_id, VIA_API_V2, STAFF_SCOPES)


async def open_ticket(db: Database, world: builders.World, **new: Any) -> tuple[int, int, str]:
    client = Actor.client(world.client_id, VIA_API_V2, frozenset({READ_SUPPORT, WRITE_SUPPORT}))
    async with db.transaction() as session:
        opened = await service.open_ticket(
            session,
            client,
            NewTicket(
                **{
                    "subject": SUBJECT,
                    "body": "I cannot log in since this morning.",
                    "priority": "medium",
                    "dept_id": world.dept_id,
                    "cc": (CC,),
                    **new,
                }
            ),
        )
    return int(opened.id), int(opened.ticket_number), opened.acc_hash


async def ticket_life(db: Database) -> Life:
    """Opened by the client (cc), bcc and owner set by staff, a note and a draft (canaries),
    a staff reply, the client's answer, closed by staff."""
    world = await builders.world(db)
    ticket_id, number, acc_hash = await open_ticket(db, world)
    staff = staff_actor(world.staff_id)
    client = Actor.client(world.client_id, VIA_API_V2, frozenset({READ_SUPPORT, WRITE_SUPPORT}))
    async with db.transaction() as session:
        await desk.edit_ticket(
            session,
            staff,
            number,
            TicketEdit(given=frozenset({"bcc", "owner_id"}), bcc=(BCC,), owner_id=world.owner_id),
        )
    async with db.transaction() as session:
        await notes.add_note(session, staff, number, f"Internal: {NOTE_CANARY}")
    async with db.transaction() as session:
        await service.post_message(
            session, staff, number, NewMessage(f"draft {DRAFT_CANARY}"), ReplyOptions(draft=True)
        )
    async with db.transaction() as session:
        await service.post_message(session, staff, number, NewMessage("Please clear your cookies."))
    async with db.transaction() as session:
        await service.post_message(session, client, number, NewMessage("That fixed it, thanks!"))
    async with db.transaction() as session:
        await service.close_ticket(session, staff, number)
    async with db.transaction() as session:
        emails = (await session.execute(select(Staff.email))).scalars().all()
    return Life(world, number, acc_hash, ticket_id, tuple(emails))


async def outbox(db: Database) -> list[MailRow]:
    """Every mail in the outbox, oldest first."""
    async with db.transaction() as session:
        return sorted(
            await repository.list_mails(session, failed_only=False, limit=1000),
            key=lambda mail: mail.id,
        )


async def one_mail(db: Database, mail_id: int) -> MailRow:
    async with db.transaction() as session:
        found = await repository.find_mail(session, mail_id)
    assert found is not None
    return found


async def mail_count(db: Database) -> int:
    async with db.transaction() as session:
        return len((await session.execute(select(MailOutbox.id))).all())


async def run_sender(
    db: Database, settings: Settings, *, now: datetime | None = None, worker: str = "test-1"
) -> int:
    """One tick of the mail job, as the runner calls it."""
    return await send_due_mail(JobContext(db, settings, now or utcnow(), worker))


def smtp_settings(settings_for: Callable[..., Settings], url: str, **more: Any) -> Settings:
    return settings_for(smtp_url=url, mail_from=MAIL_FROM, **more)


def templates_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "templates"
    directory.mkdir()
    return directory
