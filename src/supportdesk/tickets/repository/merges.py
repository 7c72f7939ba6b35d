"""SQL of merging and splitting tickets: the rows that move, and the rows that are copied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, literal, select, update

from supportdesk.core.clock import as_datetime
from supportdesk.core.db import DbSession
from supportdesk.hosting.models import TicketService
from supportdesk.tickets.models import (
    Attachment,
    Note,
    Reply,
    Ticket,
    TicketSubscription,
    TicketTag,
)


@dataclass(frozen=True, slots=True)
class TicketRow:
    """A ticket's own columns, as a merge or a split reads them."""

    id: int
    public_id: str
    ticket_number: int
    parent_id: int | None
    merged_at: datetime | None
    client_id: int | None
    dept_id: int
    org_dept_id: int
    brand_id: int | None
    creator_id: int
    name: str
    email: str
    subject: str
    body: str
    priority: str
    flags: int
    type: str
    senderip: str
    from_address: str
    created_at: datetime


_TICKET_COLUMNS = [Ticket.__table__.c[name] for name in TicketRow.__dataclass_fields__]


async def ticket_row(session: DbSession, ticket_id: int) -> TicketRow:
    row = dict(
        (await session.execute(select(*_TICKET_COLUMNS).where(Ticket.id == ticket_id)))
        .mappings()
        .one()
    )
    row["merged_at"] = as_datetime(row["merged_at"])
    row["created_at"] = as_datetime(row["created_at"])
    return TicketRow(**row)


async def lock_in_order(session: DbSession, ticket_ids: list[int]) -> None:
    """Hold the tickets' rows, lowest id first, so that two merges never wait on each other.
    SQLite's write transaction holds the whole database from its start already."""
    if session.dialect_name == "sqlite":
        return
    for ticket_id in sorted(ticket_ids):
        await session.execute(select(Ticket.id).where(Ticket.id == ticket_id).with_for_update())


async def merged_into(session: DbSession, ticket_id: int) -> tuple[str, int] | None:
    """The (`tkt_` id, number) of the ticket this one was merged into, if it was."""
    target = Ticket.__table__.alias("target")
    row = (
        await session.execute(
            select(target.c.public_id, target.c.ticket_number)
            .select_from(Ticket)
            .join(target, target.c.id == Ticket.parent_id)
            .where(Ticket.id == ticket_id, Ticket.merged_at.is_not(None))
        )
    ).first()
    return None if row is None else (str(row[0]), int(row[1]))


async def move_conversation(
    session: DbSession, source_id: int, target_id: int, opening_reply_id: int
) -> int:
    """Move the source's replies, files and notes to the target; the files of the source's
    opening message go with the reply that now holds it. Returns how many replies moved."""
    await session.execute(
        update(Attachment)
        .where(Attachment.ticket_id == source_id, Attachment.reply_id.is_(None))
        .values(ticket_id=target_id, reply_id=opening_reply_id)
    )
    await session.execute(
        update(Attachment).where(Attachment.ticket_id == source_id).values(ticket_id=target_id)
    )
    moved = await session.execute(
        update(Reply).where(Reply.ticket_id == source_id).values(ticket_id=target_id)
    )
    await session.execute(
        update(Note).where(Note.ticket_id == source_id).values(ticket_id=target_id)
    )
    return int(moved.rowcount)  # type: ignore[attr-defined]


async def copy_links(session: DbSession, source_id: int, target_id: int) -> None:
    """The source's tags, subscribers and linked services, on the target too (once each)."""
    for table, key, extra in (
        (TicketTag, "tag_id", ()),
        (TicketSubscription, "staff_id", ()),
        (
            TicketService,
            "service_id",
            ("ai_summary", "ai_helpful", "created_at", "updated_at"),
        ),
    ):
        column: Any = getattr(table, key)
        on_target = select(column).where(table.ticket_id == target_id)
        copied = select(
            literal(target_id), column, *(getattr(table, name) for name in extra)
        ).where(
            table.ticket_id == source_id,
            column.not_in(on_target),
        )
        await session.execute(insert(table).from_select(["ticket_id", key, *extra], copied))


async def merge_marks(
    session: DbSession,
    *,
    source_id: int,
    target_id: int,
    closed_status_id: int,
    now: datetime,
) -> None:
    """The source: merged into the target, closed."""
    await session.execute(
        update(Ticket)
        .where(Ticket.id == source_id)
        .values(parent_id=target_id, merged_at=now, status_id=closed_status_id, updated_at=now)
    )


async def target_after_merge(
    session: DbSession, target_id: int, *, last_reply_at: datetime, flags: int, now: datetime
) -> None:
    await session.execute(
        update(Ticket)
        .where(Ticket.id == target_id)
        .values(last_reply_at=last_reply_at, flags=Ticket.flags.op("|")(flags), updated_at=now)
    )


@dataclass(frozen=True, slots=True)
class SplitMessage:
    id: int
    public_id: str
    replier_id: int
    name: str
    email: str
    body: str
    status: str
    type: str
    flags: int
    senderip: str
    from_address: str
    created_at: datetime


async def split_message(session: DbSession, ticket_id: int, public_id: str) -> SplitMessage | None:
    columns = [Reply.__table__.c[name] for name in SplitMessage.__dataclass_fields__]
    row = (
        (
            await session.execute(
                select(*columns).where(Reply.ticket_id == ticket_id, Reply.public_id == public_id)
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    values = dict(row)
    values["created_at"] = as_datetime(values["created_at"])
    return SplitMessage(**values)


async def move_message_out(session: DbSession, reply_id: int, new_ticket_id: int) -> None:
    """The message's files become the new ticket's opening files; the message itself goes."""
    await session.execute(
        update(Attachment)
        .where(Attachment.reply_id == reply_id)
        .values(ticket_id=new_ticket_id, reply_id=None)
    )
    await session.execute(delete(Reply).where(Reply.id == reply_id))


async def set_last_reply(session: DbSession, ticket_id: int, at: datetime, now: datetime) -> None:
    await session.execute(
        update(Ticket).where(Ticket.id == ticket_id).values(last_reply_at=at, updated_at=now)
    )


async def set_parent(session: DbSession, ticket_id: int, parent_id: int) -> None:
    await session.execute(update(Ticket).where(Ticket.id == ticket_id).values(parent_id=parent_id))
