"""What the ticket page shows, gathered through the same services the v2 desk API calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from supportdesk.core.actor import Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.db import DbSession
from supportdesk.sessions import service as sessions
from supportdesk.sessions.service import SignedIn
from supportdesk.sla import service as sla
from supportdesk.sla.evaluate import PolicyClock
from supportdesk.tickets import macros, service
from supportdesk.tickets.models import DRAFT, SCHEDULED
from supportdesk.tickets.records import (
    AttachmentRecord,
    TicketRecord,
    TicketSummaryRecord,
)
from supportdesk.tickets.repository import EventRecord, ListFilter
from supportdesk.web.desk import repository
from supportdesk.web.desk.repository import Choices, ClientCard, Option

OTHER_TICKETS = 10


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of the conversation: the opening message, a message, or an internal note."""

    kind: str  # opening, message, note
    id: str
    at: datetime
    author: str
    side: str  # client, staff, system, note
    body: str
    attachments: list[AttachmentRecord] = field(default_factory=list)
    state: str = "Sent"
    send_at: datetime | None = None
    rating: int = 0


@dataclass(frozen=True, slots=True)
class TicketPage:
    ticket: TicketRecord
    conversation: list[Entry]
    unsent: list[Entry]
    last_seen_id: str
    others: list[str]
    client: ClientCard | None
    other_tickets: list[TicketSummaryRecord]
    timeline: list[EventRecord]
    choices: Choices
    macros: list[Option]
    # Each SLA policy's clock, as `GET /api/v2/support/tickets/{id}/sla` reads it.
    sla: list[PolicyClock] = field(default_factory=list)


def _side(reply_type: str) -> str:
    return {"Admin": "staff", "System": "system"}.get(reply_type, "client")


def conversation(ticket: TicketRecord) -> tuple[list[Entry], list[Entry]]:
    """The conversation in time order, notes in line; and the messages not yet sent."""
    files: dict[int | None, list[AttachmentRecord]] = {}
    for attachment in ticket.attachments:
        files.setdefault(attachment.reply_id, []).append(attachment)
    opening = Entry(
        "opening",
        ticket.public_id,
        ticket.created_at,
        ticket.name,
        "staff" if ticket.type == "Admin" else "client",
        ticket.body,
        files.get(None, []),
    )
    sent: list[Entry] = [opening]
    unsent: list[Entry] = []
    for reply in ticket.replies:
        entry = Entry(
            "message",
            reply.public_id,
            reply.created_at,
            reply.name,
            _side(reply.type),
            reply.body,
            files.get(reply.id, []),
            reply.status,
            reply.send_at,
            reply.rating,
        )
        (unsent if reply.status in (DRAFT, SCHEDULED) else sent).append(entry)
    notes = [
        Entry("note", note.public_id, note.created_at, note.author_name, "note", note.body)
        for note in ticket.note_records
    ]
    order = sorted(sent[1:] + notes, key=lambda entry: entry.at)
    return [opening, *order], unsent


async def gather(
    session: DbSession, signed_in: SignedIn, number: int, *, mark_read: bool = True
) -> TicketPage:
    """The ticket as its staff page shows it (reading it marks it read for staff)."""
    actor: Actor = signed_in.actor
    now = utcnow()
    ticket = (
        await service.read_ticket(session, actor, number)
        if mark_read
        else await service.shown(session, actor, number)
    )
    entries, unsent = conversation(ticket)
    sent_messages = [entry for entry in entries if entry.kind != "note"]
    others = await sessions.others_present(session, signed_in, ticket.id, now)
    client = await repository.client_card(session, ticket.client_id) if ticket.client_id else None
    other_tickets: list[TicketSummaryRecord] = []
    if ticket.client_id:
        page = await service.list_tickets(
            session, actor, ListFilter(client_id=ticket.client_id), limit=OTHER_TICKETS + 1
        )
        other_tickets = [item for item in page.items if item.id != ticket.id][:OTHER_TICKETS]
    return TicketPage(
        ticket=ticket,
        conversation=entries,
        unsent=unsent,
        last_seen_id=sent_messages[-1].id,
        others=others,
        client=client,
        other_tickets=other_tickets,
        timeline=await service.ticket_history(session, actor, ticket.public_id),
        choices=await repository.choices(session),
        macros=[
            Option(str(macro.id), macro.name) for macro in await macros.list_macros(session, actor)
        ],
        sla=(await sla.current_clocks(session, ticket.id)).clocks,
    )


def summary_of_changes(changes: dict[str, Any]) -> str:
    """A timeline event's changes as one line: `status: Open → Answered`."""
    parts = []
    for name, change in changes.items():
        if isinstance(change, dict) and "to" in change:
            before, after = change.get("from"), change.get("to")
            parts.append(f"{name}: {_shown(before)} → {_shown(after)}")
    return "; ".join(parts)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return str(value)
