"""SQL of the automation's ticket work: which tickets are quiet long enough to close, which
scheduled messages are due, and the client reply that unschedules staff's messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, insert, or_, select, update
from sqlalchemy.orm import aliased

from supportdesk.core.clock import as_datetime
from supportdesk.core.db import DbSession
from supportdesk.departments.models import CLOSED, Department, Status
from supportdesk.jobs.lease import skip_locked
from supportdesk.tickets.models import DRAFT, SCHEDULED, SENT, Reply, Ticket
from supportdesk.tickets.repository.messages import CLIENT_SIDE
from supportdesk.tickets.repository.state import TicketState
from supportdesk.tickets.repository.writes import ReplyInsert


@dataclass(frozen=True, slots=True)
class AutoCloseRules:
    """The statuses with `auto_close`, each department's hours (only those > 0), and the id of
    `Closed`."""

    statuses: dict[int, str]
    hours: dict[int, float]
    closed_status_id: int

    def cutoffs(self, now: datetime) -> dict[int, datetime]:
        """Per department: a message at or before this time is old enough."""
        return {dept: now - timedelta(hours=hours) for dept, hours in self.hours.items()}


@dataclass(frozen=True, slots=True)
class QuietTicket:
    """A ticket due to close: its state, its department's hours, and its latest message (a
    `tmsg_` id, or the ticket's `tkt_` id when the opening message is the latest)."""

    state: TicketState
    hours: float
    last_message_id: str


async def auto_close_rules(session: DbSession) -> AutoCloseRules | None:
    """What auto-close needs to know, in one statement; None when no ticket can be due."""
    rows = (
        await session.execute(
            select(
                Status.id,
                Status.name,
                Status.auto_close,
                Department.id,
                Department.auto_close_hours,
            )
            .select_from(Status)
            .outerjoin(Department, Department.auto_close_hours > 0)
            .where(or_(Status.auto_close.is_(True), Status.name == CLOSED))
        )
    ).all()
    statuses = {row[0]: row[1] for row in rows if row[2]}
    hours = {row[3]: float(row[4]) for row in rows if row[3] is not None}
    closed = next((row[0] for row in rows if row[1] == CLOSED), None)
    if not statuses or not hours or closed is None:
        return None
    return AutoCloseRules(statuses, hours, closed)


def _quiet(rules: AutoCloseRules, now: datetime) -> Select[*tuple[Any, ...]]:
    """Tickets in an auto-close status, not merged away, whose latest sent message is staff's
    (or the system's) and at or before their department's cutoff. The range on
    `ix_tickets_auto_close` (status, department, last reply) finds them; the latest message is
    one probe of `ix_replies_ticket_order` each."""
    latest_id = (
        select(Reply.id)
        .where(Reply.ticket_id == Ticket.id, Reply.status == SENT)
        .order_by(Reply.created_at.desc(), Reply.id.desc())
        .limit(1)
        .correlate(Ticket)
        .scalar_subquery()
    )
    latest = aliased(Reply)
    written = func.coalesce(latest.created_at, Ticket.created_at)
    per_department: list[ColumnElement[bool]] = [
        and_(Ticket.dept_id == dept, Ticket.last_reply_at <= cutoff, written <= cutoff)
        for dept, cutoff in rules.cutoffs(now).items()
    ]
    return (
        select(
            Ticket.id,
            Ticket.ticket_number,
            Ticket.public_id,
            Ticket.client_id,
            Ticket.status_id,
            Ticket.flags,
            Ticket.dept_id,
            func.coalesce(latest.public_id, Ticket.public_id),
        )
        .outerjoin(latest, latest.id == latest_id)
        .where(
            Ticket.status_id.in_(sorted(rules.statuses)),
            Ticket.merged_at.is_(None),
            or_(*per_department),
            func.coalesce(latest.type, Ticket.type).not_in(CLIENT_SIDE),
        )
    )


async def quiet_tickets(
    session: DbSession,
    rules: AutoCloseRules,
    now: datetime,
    *,
    limit: int,
    among: Sequence[int] | None = None,
    lock: bool = True,
) -> list[QuietTicket]:
    """Up to `limit` tickets due to close (of `among`, if given), longest quiet first; with
    `lock`, each is locked for this transaction, skipping tickets another transaction holds
    (PostgreSQL). Without it they are only read (the re-check under locks already taken)."""
    statement = _quiet(rules, now).order_by(Ticket.last_reply_at, Ticket.id).limit(limit)
    if among is not None:
        statement = statement.where(Ticket.id.in_(among))
    if lock:
        statement = skip_locked(statement, session, of=Ticket)
    rows = (await session.execute(statement)).all()
    return [
        QuietTicket(
            TicketState(
                id=row[0],
                ticket_number=row[1],
                public_id=row[2],
                client_id=row[3],
                status=rules.statuses[row[4]],
                flags=row[5],
                client_can_reopen=True,
            ),
            rules.hours[row[6]],
            row[7],
        )
        for row in rows
    ]


async def close_all(
    session: DbSession, ticket_ids: Sequence[int], closing: Sequence[ReplyInsert], **values: Any
) -> None:
    """A batch of closes in two statements: the `System` replies, and the tickets' new values
    (the same for each: status, last reply, activity, read marker)."""
    await session.execute(insert(Reply).values([asdict(row) for row in closing]))
    await session.execute(update(Ticket).where(Ticket.id.in_(ticket_ids)).values(**values))


# --- scheduled messages -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueMessage:
    """A scheduled message whose time has come, and its ticket."""

    reply_id: int
    public_id: str
    ticket_id: int
    ticket_public_id: str


async def due_messages(
    session: DbSession, now: datetime, *, limit: int, among: Sequence[int] | None = None
) -> list[DueMessage]:
    """Up to `limit` scheduled messages (of the replies `among`, if given) whose `send_at` has
    come, the earliest first (a range on `ix_replies_scheduled`). Nothing is locked here: the
    sender locks their tickets, which every change to a scheduled message locks first, and
    reads each message again."""
    statement = (
        select(Reply.id, Reply.public_id, Reply.ticket_id, Ticket.public_id)
        .join(Ticket, Ticket.id == Reply.ticket_id)
        .where(Reply.status == SCHEDULED, Reply.send_at <= now)
        .order_by(Reply.send_at, Reply.id)
        .limit(limit)
    )
    if among is not None:
        statement = statement.where(Reply.id.in_(among))
    return [DueMessage(*row) for row in (await session.execute(statement)).all()]


async def unschedule_for_client_reply(
    session: DbSession, ticket_id: int, now: datetime
) -> list[tuple[str, datetime]]:
    """Turn the ticket's scheduled messages that a client reply cancels (not yet due, not
    `keep_if_client_replies`) into drafts; their ids and the times they were scheduled for."""
    cancelled = and_(
        Reply.ticket_id == ticket_id,
        Reply.status == SCHEDULED,
        Reply.keep_if_client_replies.is_(False),
        Reply.send_at > now,
    )
    rows = (await session.execute(select(Reply.public_id, Reply.send_at).where(cancelled))).all()
    if not rows:
        return []
    await session.execute(update(Reply).where(cancelled).values(status=DRAFT, send_at=None))
    found: list[tuple[str, datetime]] = []
    for public_id, send_at in rows:
        moment = as_datetime(send_at)
        assert moment is not None
        found.append((public_id, moment))
    return found
