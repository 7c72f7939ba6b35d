"""All SQL of mail: what a mail tells (the ticket, the message, the staff to tell) and the
outbox's rows, claimed with a lease."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Table, bindparam, func, insert, or_, select, update

from supportdesk.accounts.models import Staff
from supportdesk.core.db import DbSession
from supportdesk.departments.models import Department, Status
from supportdesk.jobs.lease import Lease, claim, release
from supportdesk.mail.models import FAILED, PENDING, SENT, MailOutbox
from supportdesk.tickets.models import Reply, Ticket, TicketSubscription


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What any mail about a ticket may say; which of it a client's mail says is compose's."""

    id: int
    number: int
    acc_hash: str
    subject: str
    body: str
    name: str
    email: str
    cc: str
    bcc: str
    flags: int
    status: str
    department: str
    department_email: str
    owner_id: int | None


@dataclass(frozen=True, slots=True)
class MessageFacts:
    name: str
    body: str
    type: str
    status: str
    notify: bool
    flags: int


@dataclass(frozen=True, slots=True)
class StaffAddress:
    id: int
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class NewMail:
    message_id: str
    ticket_id: int
    kind: str
    recipients: list[str]
    subject: str
    text_body: str
    html_body: str
    headers: dict[str, str]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MailRow:
    id: int
    message_id: str
    ticket_id: int
    kind: str
    recipients: list[str]
    subject: str
    text_body: str
    html_body: str
    headers: dict[str, str]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None


# Built once: a change's mails read with `rows()`, SQLAlchemy's statement building skipped.
_TICKET_FACTS = (
    select(
        Ticket.id,
        Ticket.ticket_number,
        Ticket.acc_hash,
        Ticket.subject,
        Ticket.body,
        Ticket.name,
        Ticket.email,
        Ticket.cc,
        Ticket.bcc,
        Ticket.flags,
        Status.name,
        Department.name,
        Department.email,
        Ticket.owner_id,
    )
    .join(Status, Status.id == Ticket.status_id)
    .join(Department, Department.id == Ticket.dept_id)
    .where(Ticket.id == bindparam("ticket_id"))
)
_MESSAGE_FACTS = select(
    Reply.name, Reply.body, Reply.type, Reply.status, Reply.notify, Reply.flags
).where(Reply.ticket_id == bindparam("ticket_id"), Reply.public_id == bindparam("public_id"))


async def ticket_facts(session: DbSession, ticket_id: int) -> TicketFacts:
    (row,) = await session.rows(_TICKET_FACTS, {"ticket_id": ticket_id})
    return TicketFacts(*row)


async def message_facts(session: DbSession, ticket_id: int, public_id: str) -> MessageFacts | None:
    rows = await session.rows(_MESSAGE_FACTS, {"ticket_id": ticket_id, "public_id": public_id})
    if not rows:
        return None
    name, body, kind, status, notify, flags = rows[0]
    return MessageFacts(name, body, kind, status, bool(notify), flags)


def _staff(row: Any) -> StaffAddress:
    return StaffAddress(row.id, f"{row.firstname} {row.lastname}".strip(), row.email)


async def watching_staff(session: DbSession, ticket: TicketFacts) -> list[StaffAddress]:
    """The ticket's owner and subscribers who are active, owner first."""
    subscribed = select(TicketSubscription.staff_id).where(
        TicketSubscription.ticket_id == ticket.id
    )
    rows = await session.execute(
        select(Staff.id, Staff.firstname, Staff.lastname, Staff.email)
        .where(
            Staff.status == "Active",
            or_(Staff.id == (ticket.owner_id or 0), Staff.id.in_(subscribed)),
        )
        .order_by((Staff.id == (ticket.owner_id or 0)).desc(), Staff.id)
    )
    return [_staff(row) for row in rows]


async def active_staff(session: DbSession, staff_id: int) -> StaffAddress | None:
    row = (
        await session.execute(
            select(Staff.id, Staff.firstname, Staff.lastname, Staff.email).where(
                Staff.id == staff_id, Staff.status == "Active"
            )
        )
    ).first()
    return None if row is None else _staff(row)


_INSERT_MAIL = insert(MailOutbox)


async def insert_mail(session: DbSession, mail: NewMail) -> None:
    await session.execute(
        _INSERT_MAIL,
        {
            "message_id": mail.message_id,
            "ticket_id": mail.ticket_id,
            "kind": mail.kind,
            "recipients": orjson.dumps(mail.recipients).decode(),
            "subject": mail.subject,
            "text_body": mail.text_body,
            "html_body": mail.html_body,
            "headers": orjson.dumps(mail.headers).decode(),
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": mail.created_at,
            "last_error": "",
            "created_at": mail.created_at,
        },
    )


_COLUMNS = (
    MailOutbox.id,
    MailOutbox.message_id,
    MailOutbox.ticket_id,
    MailOutbox.kind,
    MailOutbox.recipients,
    MailOutbox.subject,
    MailOutbox.text_body,
    MailOutbox.html_body,
    MailOutbox.headers,
    MailOutbox.status,
    MailOutbox.attempts,
    MailOutbox.next_attempt_at,
    MailOutbox.last_error,
    MailOutbox.created_at,
    MailOutbox.sent_at,
)


def _row(row: Any) -> MailRow:
    values = dict(row._mapping)
    values["recipients"] = orjson.loads(values["recipients"])
    values["headers"] = orjson.loads(values["headers"])
    return MailRow(**values)


# The outbox as the jobs' lease sees it (jobs/lease.py): due when `next_attempt_at` has come.
_TABLE = MailOutbox.__table__
assert isinstance(_TABLE, Table)
OUTBOX = Lease(_TABLE, due="next_attempt_at", until="locked_until", owner="locked_by")


async def claim_due(
    session: DbSession, *, worker: str, now: datetime, hold: timedelta, limit: int
) -> list[MailRow]:
    """Lease up to `limit` pending mails that are due and not leased by a live sender, and count
    the attempt (so a mail whose sending keeps killing its sender still runs out of them)."""
    rows = await claim(
        session,
        OUTBOX,
        now=now,
        worker=worker,
        hold=hold,
        limit=limit,
        where=(MailOutbox.status == PENDING,),
        returning=_COLUMNS,
    )
    ids = [row.id for row in rows]
    if ids:
        await session.execute(
            update(MailOutbox)
            .where(MailOutbox.id.in_(ids))
            .values(attempts=MailOutbox.attempts + 1)
        )
    return sorted(
        (replace(_row(row), attempts=row.attempts + 1) for row in rows), key=lambda m: m.id
    )


async def mark_sent(
    session: DbSession, mail_ids: list[int], *, worker: str, now: datetime
) -> list[int]:
    """Record the sends and end their leases, as `release` does, in one statement for the whole
    batch (`release` is one a row: a round trip each on PostgreSQL); the ids whose lease was
    still this worker's (a lost lease means another sender has the row now)."""
    if not mail_ids:
        return []
    result = await session.execute(
        update(MailOutbox)
        .where(MailOutbox.id.in_(mail_ids), MailOutbox.locked_by == worker)
        .values(status=SENT, sent_at=now, last_error="", locked_by=None, locked_until=None)
        .returning(MailOutbox.id)
    )
    return sorted(int(mail_id) for (mail_id,) in result)


async def mark_unsent(
    session: DbSession, mail_id: int, *, worker: str, error: str, retry_at: datetime | None
) -> None:
    """A failed attempt: try again at `retry_at`, or never (`None`: failed)."""
    values: dict[str, Any] = {"last_error": error}
    if retry_at is None:
        values["status"] = FAILED
    else:
        values["next_attempt_at"] = retry_at
    await release(session, OUTBOX, mail_id, worker=worker, values=values)


async def list_mails(session: DbSession, *, failed_only: bool, limit: int) -> list[MailRow]:
    """The newest mails first."""
    statement = select(*_COLUMNS).order_by(MailOutbox.id.desc()).limit(limit)
    if failed_only:
        statement = statement.where(MailOutbox.status == FAILED)
    return [_row(row) for row in await session.execute(statement)]


async def find_mail(session: DbSession, mail_id: int) -> MailRow | None:
    row = (await session.execute(select(*_COLUMNS).where(MailOutbox.id == mail_id))).first()
    return None if row is None else _row(row)


async def count_by_status(session: DbSession) -> dict[str, int]:
    rows = await session.execute(
        select(MailOutbox.status, func.count()).group_by(MailOutbox.status)
    )
    return {status: int(count) for status, count in rows}
