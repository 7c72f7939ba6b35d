"""What changes tickets: new tickets and replies, field updates, read markers, claims."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.tickets.models import Attachment, Reply, Ticket


@dataclass(frozen=True, slots=True)
class TicketInsert:
    """A new ticket row (its number is drawn by the caller)."""

    ticket_number: int
    public_id: str
    acc_hash: str
    dept_id: int
    org_dept_id: int
    brand_id: int | None
    client_id: int | None
    creator_id: int
    status_id: int
    name: str
    email: str
    cc: str
    subject: str
    body: str
    critical_reason: str
    priority: str
    type: str
    senderip: str
    admin_read: bool
    client_read: bool
    created_at: datetime
    last_reply_at: datetime
    updated_at: datetime
    start_date: datetime
    resolve_date: datetime | None
    flags: int = 0


@dataclass(frozen=True, slots=True)
class ReplyInsert:
    public_id: str
    ticket_id: int
    replier_id: int
    name: str
    email: str
    body: str
    status: str
    type: str
    flags: int
    senderip: str
    created_at: datetime
    # A staff message's desk options (desk.md): scheduled time, and what sending it does.
    send_at: datetime | None = None
    keep_if_client_replies: bool = False
    notify: bool = True
    status_after: str = ""


async def insert_ticket(session: DbSession, row: TicketInsert) -> int | None:
    """Insert unless the number is taken (then None: the caller draws another number)."""
    dialect = postgresql if session.dialect_name == "postgresql" else sqlite
    statement = (
        dialect.insert(Ticket)
        .values(**asdict(row))
        .on_conflict_do_nothing(index_elements=[Ticket.ticket_number])
        .returning(Ticket.id)
    )
    found = (await session.execute(statement)).first()
    return None if found is None else int(found[0])


async def insert_reply(session: DbSession, row: ReplyInsert) -> int:
    statement = insert(Reply).values(**asdict(row)).returning(Reply.id)
    return int((await session.execute(statement)).scalar_one())


async def update_ticket(
    session: DbSession,
    ticket_id: int,
    *,
    updated_at: datetime,
    status_id: int | None = None,
    last_reply_at: datetime | None = None,
    admin_read: bool | None = None,
    client_read: bool | None = None,
) -> None:
    """Change the given fields (None leaves a field as it is) and the activity time."""
    values = {
        name: value
        for name, value in (
            ("status_id", status_id),
            ("last_reply_at", last_reply_at),
            ("admin_read", admin_read),
            ("client_read", client_read),
        )
        if value is not None
    }
    await session.execute(
        update(Ticket).where(Ticket.id == ticket_id).values(updated_at=updated_at, **values)
    )


async def mark_read(session: DbSession, ticket_id: int, side: str) -> bool:
    """Set the reader's side read marker; False if it was already set. Being read is not a
    change to the ticket (`updated_at` stays, no event), but the marker is shown (`admin_read`,
    `client_read`), so it moves the version that cached answers are keyed by. The condition is
    the re-check: a reading session upgrades to a write for it (`core.db`), and only a marker
    still unset is flipped."""
    column = Ticket.admin_read if side == "staff" else Ticket.client_read
    result = await session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, column.is_(False))
        .values({column: True, Ticket.version: Ticket.version + 1})
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def oldest_recent_critical(
    session: DbSession, client_id: int, since: datetime
) -> datetime | None:
    """The oldest critical ticket the client opened since `since`, if any."""
    return (  # type: ignore[no-any-return]
        await session.execute(
            select(func.min(Ticket.created_at)).where(
                Ticket.client_id == client_id,
                Ticket.priority == "critical",
                Ticket.created_at > since,
            )
        )
    ).scalar_one()


async def claim_uploads(
    session: DbSession,
    actor: Actor,
    upload_ids: list[str],
    *,
    ticket_id: int,
    reply_id: int | None,
) -> int:
    """Attach the actor's own pending uploads; returns how many were claimed."""
    if actor.staff_id is not None:
        uploader = Attachment.uploader_staff_id == actor.staff_id
    elif actor.client_id is not None:
        uploader = Attachment.uploader_client_id == actor.client_id
    elif actor.guest_ticket_id is not None:
        # A guest's uploads name no uploader: its upload ids, known only to it, are the claim.
        uploader = and_(
            Attachment.uploader_client_id.is_(None), Attachment.uploader_staff_id.is_(None)
        )
    else:  # the system uploads nothing of its own
        return 0
    result = await session.execute(
        update(Attachment)
        .where(
            Attachment.upload_id.in_(upload_ids),
            Attachment.ticket_id.is_(None),
            uploader,
        )
        .values(ticket_id=ticket_id, reply_id=reply_id)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
