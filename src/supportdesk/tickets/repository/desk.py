"""The SQL of the desk: what staff change on a ticket (statuses, owners, tags, subscribers,
flags), notes, macros, and the staff's part of a list page in one statement."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from supportdesk.accounts.models import Client, Staff
from supportdesk.core.clock import as_datetime
from supportdesk.core.db import DbSession
from supportdesk.core.sql import json_list
from supportdesk.departments.models import Status
from supportdesk.tickets.models import (
    FLAG_HAS_NOTES,
    Macro,
    Note,
    Tag,
    Ticket,
    TicketSubscription,
    TicketTag,
)
from supportdesk.tickets.records import DeskSummaryRecord


@dataclass(frozen=True, slots=True)
class StatusRef:
    id: int
    name: str


async def find_status(session: DbSession, value: str) -> StatusRef | None:
    """A status by its name, else the status a v2 status stands for (built-ins first)."""
    by_name = (
        await session.execute(select(Status.id, Status.name).where(Status.name == value))
    ).first()
    if by_name is not None:
        return StatusRef(int(by_name[0]), str(by_name[1]))
    if value == "unknown":
        return None
    by_v2 = (
        await session.execute(
            select(Status.id, Status.name)
            .where(Status.v2_status == value)
            .order_by(Status.builtin.desc(), Status.id)
            .limit(1)
        )
    ).first()
    return None if by_v2 is None else StatusRef(int(by_v2[0]), str(by_v2[1]))


async def active_staff(session: DbSession, staff_ids: Iterable[int]) -> set[int]:
    """Which of `staff_ids` are active staff members."""
    wanted = sorted(set(staff_ids))
    if not wanted:
        return set()
    rows = await session.execute(
        select(Staff.id).where(Staff.id.in_(wanted), Staff.status == "Active")
    )
    return {int(row[0]) for row in rows}


async def set_columns(session: DbSession, ticket_id: int, values: dict[str, Any]) -> None:
    if values:
        await session.execute(update(Ticket).where(Ticket.id == ticket_id).values(values))


async def replace_tags(session: DbSession, ticket_id: int, names: Sequence[str]) -> None:
    """The ticket's tags become `names` (tags are created on first use)."""
    await session.execute(delete(TicketTag).where(TicketTag.ticket_id == ticket_id))
    if not names:
        return
    dialect = postgresql if session.dialect_name == "postgresql" else sqlite
    await session.execute(
        dialect.insert(Tag)
        .values([{"name": name} for name in names])
        .on_conflict_do_nothing(index_elements=[Tag.name])
    )
    ids = [int(row[0]) for row in await session.execute(select(Tag.id).where(Tag.name.in_(names)))]
    await session.execute(
        insert(TicketTag).values([{"ticket_id": ticket_id, "tag_id": tag_id} for tag_id in ids])
    )


async def replace_subscriptions(
    session: DbSession, ticket_id: int, staff_ids: Sequence[int]
) -> None:
    await session.execute(
        delete(TicketSubscription).where(TicketSubscription.ticket_id == ticket_id)
    )
    if staff_ids:
        await session.execute(
            insert(TicketSubscription).values(
                [{"ticket_id": ticket_id, "staff_id": staff_id} for staff_id in staff_ids]
            )
        )


async def desk_summaries(
    session: DbSession, ticket_ids: Sequence[int]
) -> dict[int, DeskSummaryRecord]:
    """The staff's part of each listed ticket, in one statement whatever the page's size."""
    if not ticket_ids:
        return {}
    tags = (
        select(json_list(Tag.name))
        .join(TicketTag, TicketTag.tag_id == Tag.id)
        .where(TicketTag.ticket_id == Ticket.id)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(
            Ticket.id,
            Status.name,
            Ticket.client_id,
            Ticket.owner_id,
            tags,
            Ticket.admin_read,
            Ticket.escalated,
            Ticket.resolve_date,
        )
        .join(Status, Status.id == Ticket.status_id)
        .where(Ticket.id.in_(list(ticket_ids)))
    )
    return {
        int(row[0]): DeskSummaryRecord(
            status_name=row[1],
            client_id=row[2],
            owner_id=row[3],
            tags=sorted(orjson.loads(row[4]) if row[4] else []),
            unread=not row[5],
            escalated=int(row[6]),
            resolve_date=as_datetime(row[7]),
        )
        for row in rows
    }


# --- notes ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredNote:
    id: int
    public_id: str
    staff_id: int


async def insert_note(
    session: DbSession, ticket_id: int, staff_id: int, body: str, now: datetime
) -> StoredNote:
    row = (
        await session.execute(
            insert(Note)
            .values(
                ticket_id=ticket_id, staff_id=staff_id, body=body, created_at=now, updated_at=now
            )
            .returning(Note.id, Note.public_id, Note.staff_id)
        )
    ).one()
    return StoredNote(int(row[0]), str(row[1]), int(row[2]))


async def find_note(session: DbSession, ticket_id: int, note_id: str) -> StoredNote | None:
    row = (
        await session.execute(
            select(Note.id, Note.public_id, Note.staff_id).where(
                Note.ticket_id == ticket_id, Note.public_id == note_id
            )
        )
    ).first()
    return None if row is None else StoredNote(int(row[0]), str(row[1]), int(row[2]))


async def update_note(session: DbSession, note_id: int, body: str, now: datetime) -> None:
    await session.execute(update(Note).where(Note.id == note_id).values(body=body, updated_at=now))


async def delete_note(session: DbSession, note_id: int) -> None:
    await session.execute(delete(Note).where(Note.id == note_id))


async def mark_has_notes(session: DbSession, ticket_id: int) -> None:
    """Flag 1 set when the ticket has notes, cleared when it has none (notes do not move the
    ticket's `updated_at`: a client is shown that, and a note is nothing of the client's)."""
    has_notes = (
        await session.execute(select(Note.id).where(Note.ticket_id == ticket_id).limit(1))
    ).first() is not None
    flags = (
        Ticket.flags.op("|")(FLAG_HAS_NOTES) if has_notes else Ticket.flags.op("&")(~FLAG_HAS_NOTES)
    )
    await session.execute(update(Ticket).where(Ticket.id == ticket_id).values(flags=flags))


# --- macros -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MacroRecord:
    id: int
    name: str
    body: str
    changes: str
    created_at: datetime
    updated_at: datetime


_MACRO_COLUMNS = (
    Macro.id,
    Macro.name,
    Macro.body,
    Macro.changes,
    Macro.created_at,
    Macro.updated_at,
)


def _macro(row: Any) -> MacroRecord:
    return MacroRecord(
        id=int(row[0]),
        name=str(row[1]),
        body=str(row[2]),
        changes=str(row[3]),
        created_at=as_datetime(row[4]),  # type: ignore[arg-type]
        updated_at=as_datetime(row[5]),  # type: ignore[arg-type]
    )


async def active_macros(session: DbSession) -> list[MacroRecord]:
    rows = await session.execute(
        select(*_MACRO_COLUMNS).where(Macro.active.is_(True)).order_by(Macro.name, Macro.id)
    )
    return [_macro(row) for row in rows]


async def find_active_macro(session: DbSession, macro_id: int) -> MacroRecord | None:
    row = (
        await session.execute(
            select(*_MACRO_COLUMNS).where(Macro.id == macro_id, Macro.active.is_(True))
        )
    ).first()
    return None if row is None else _macro(row)


async def staff_signature(session: DbSession, staff_id: int) -> tuple[str, str, str]:
    """(firstname, lastname, signature) of a staff member ("" each if none)."""
    row = (
        await session.execute(
            select(Staff.firstname, Staff.lastname, Staff.signature).where(Staff.id == staff_id)
        )
    ).first()
    return ("", "", "") if row is None else (str(row[0]), str(row[1]), str(row[2]))


async def client_names(session: DbSession, client_id: int) -> tuple[str, str, str]:
    """(firstname, lastname, email) of a client ("" each if none)."""
    row = (
        await session.execute(
            select(Client.firstname, Client.lastname, Client.email).where(Client.id == client_id)
        )
    ).first()
    return ("", "", "") if row is None else (str(row[0]), str(row[1]), str(row[2]))
