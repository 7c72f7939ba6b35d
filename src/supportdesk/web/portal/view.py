"""What the portal's ticket page shows: the client's view of a ticket, as messages in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from supportdesk.departments.models import CLOSED
from supportdesk.tickets.models import FLAG_NO_CLIENT_REOPEN, FLAG_REPLIES_LOCKED
from supportdesk.tickets.records import AttachmentRecord, TicketRecord
from supportdesk.tickets.repository import TicketState

# Reply types of the staff's side, as the customer sees them.
_STAFF = "Admin"
_SIDES = {_STAFF: "staff", "System": "system"}


@dataclass(frozen=True, slots=True)
class FileView:
    filename: str
    byte_length: int
    url: str


@dataclass(frozen=True, slots=True)
class MessageView:
    public_id: str | None
    author: str
    side: str  # "client", "staff" or "system"
    at: datetime
    body: str
    files: list[FileView]
    rating: int
    ratable: bool


@dataclass(frozen=True, slots=True)
class TicketView:
    number: int
    subject: str
    status: str
    department: str
    priority: str
    opened_at: datetime
    last_reply_at: datetime
    messages: list[MessageView]
    closed: bool
    can_reply: bool
    can_close: bool
    can_reopen: bool
    url: str
    action_base: str


def ticket_url(number: int, acc_hash: str) -> str:
    """The access link's path: `/portal/tickets/{number}?hash={acc_hash}`."""
    return f"/portal/tickets/{number}?hash={quote(acc_hash, safe='')}"


def _files(
    files: list[AttachmentRecord], reply_id: int | None, number: int, acc_hash: str
) -> list[FileView]:
    return [
        FileView(
            filename=file.filename,
            byte_length=file.byte_length,
            url=f"/portal/tickets/{number}/attachments/{file.public_id}"
            f"?hash={quote(acc_hash, safe='')}",
        )
        for file in files
        if file.reply_id == reply_id
    ]


def ticket_view(ticket: TicketRecord, state: TicketState) -> TicketView:
    """The page's data; `ticket` is already the client's view (no notes, drafts, bcc)."""
    assert not ticket.staff_view, "the portal shows the client's view only"
    number, acc_hash = ticket.ticket_number, ticket.acc_hash
    closed = ticket.status == CLOSED
    opening = MessageView(
        public_id=None,
        author=ticket.name,
        side="client" if ticket.type != _STAFF else "staff",
        at=ticket.created_at,
        body=ticket.body,
        files=_files(ticket.attachments, None, number, acc_hash),
        rating=0,
        ratable=False,
    )
    replies = [
        MessageView(
            public_id=reply.public_id,
            author=reply.name,
            side=_SIDES.get(reply.type, "client"),
            at=reply.created_at,
            body=reply.body,
            files=_files(ticket.attachments, reply.id, number, acc_hash),
            rating=reply.rating,
            ratable=reply.type == _STAFF,
        )
        for reply in ticket.replies
    ]
    return TicketView(
        number=number,
        subject=ticket.subject,
        status=ticket.status,
        department=ticket.dept_name,
        priority=ticket.priority,
        opened_at=ticket.created_at,
        last_reply_at=ticket.last_reply_at,
        messages=[opening, *replies],
        closed=closed,
        can_reply=not closed and not ticket.flags & FLAG_REPLIES_LOCKED,
        can_close=not closed,
        can_reopen=closed and state.client_can_reopen and not state.flags & FLAG_NO_CLIENT_REOPEN,
        url=ticket_url(number, acc_hash),
        action_base=f"/portal/tickets/{number}",
    )
