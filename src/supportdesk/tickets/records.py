"""What the ticket services take from the doors and hand back to them.

Records handed back are already filtered for the viewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

# Where a page of tickets starts: the (updated_at, id) of the last ticket of the page before.
Position = tuple[datetime, int]


@dataclass(frozen=True, slots=True)
class OwnerRecord:
    id: int
    username: str
    firstname: str
    lastname: str
    email: str
    status: str


@dataclass(frozen=True, slots=True)
class ReplyRecord:
    id: int
    public_id: str
    replier_id: int
    name: str
    email: str
    created_at: datetime
    edited_at: datetime | None
    edited_by: str
    body: str
    status: str
    type: str
    flags: int
    senderip: str
    rating: int
    rated_at: datetime | None
    from_address: str


@dataclass(frozen=True, slots=True)
class AttachmentRecord:
    id: int
    public_id: str
    reply_id: int | None
    filename: str
    content_type: str
    byte_length: int
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class LinkedServiceRecord:
    id: int
    service_id: int
    client_id: int
    service_type: str
    name: str
    status: str
    next_due: date | None
    hostname: str
    ai_summary: str
    ai_helpful: bool | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TicketRecord:
    """One ticket with everything shown in it, as the viewer may see it."""

    id: int
    public_id: str
    ticket_number: int
    parent_id: int | None
    created_at: datetime
    last_reply_at: datetime
    updated_at: datetime
    edited_at: datetime | None
    edited_by: str
    acc_hash: str
    dept_id: int
    client_id: int | None
    creator_id: int
    name: str
    email: str
    cc: str
    bcc: str
    subject: str
    body: str
    status: str
    status_color: str
    v2_status: str
    priority: str
    flags: int
    tags: list[str]
    admin_read: bool
    client_read: bool
    type: str
    request_type: str
    senderip: str
    escalated: int
    sla_id: int | None
    start_date: datetime
    resolve_date: datetime | None
    owner: OwnerRecord | None
    labels: list[str]
    brand_id: int | None
    deadline: datetime | None
    dept_name: str
    dept_slug: str
    org_dept_name: str
    client_group: str
    from_address: str
    subscriptions: list[int]
    replies: list[ReplyRecord]
    attachments: list[AttachmentRecord]
    notes: list[str]
    linked_services: list[LinkedServiceRecord]


@dataclass(frozen=True, slots=True)
class TicketSummaryRecord:
    """A ticket in a list: no body, attachments or messages."""

    id: int
    public_id: str
    ticket_number: int
    subject: str
    v2_status: str
    priority: str
    dept_slug: str
    dept_name: str
    created_at: datetime
    updated_at: datetime
    last_reply_at: datetime
    cc: str
    name: str
    message_count: int
    linked_services: list[LinkedServiceRecord]


@dataclass(frozen=True, slots=True)
class NewTicket:
    """A ticket as a door asks for it, in the model's terms."""

    subject: str
    body: str
    priority: str
    dept_id: int | None = None
    dept_slug: str | None = None
    # Staff open tickets for a named client, or for a guest (name and email).
    client_id: int | None = None
    guest_name: str | None = None
    guest_email: str | None = None
    cc: tuple[str, ...] = ()
    service_type: str | None = None
    service_id: int | None = None
    ai_summary: str = ""
    ai_helpful: bool | None = None
    critical_reason: str = ""
    upload_ids: tuple[str, ...] = ()
    senderip: str = ""


@dataclass(frozen=True, slots=True)
class NewMessage:
    body: str
    encrypted: bool = False
    upload_ids: tuple[str, ...] = ()
    senderip: str = ""


@dataclass(frozen=True, slots=True)
class Posted:
    """A message that was added, and the ticket it is in."""

    ticket: TicketRecord
    message: ReplyRecord
    # When a scheduled message goes out (None for a sent message or a draft).
    send_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """A page of ticket summaries; `next_position` is where the next page starts."""

    items: list[TicketSummaryRecord]
    has_more: bool
    next_position: Position | None
