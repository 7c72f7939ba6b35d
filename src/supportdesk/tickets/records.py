"""What the ticket services take from the doors and hand back to them.

Records handed back are already filtered for the viewer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# Where a page of tickets starts: the last ticket of the page before's values of the list's
# sort keys (`repository.listing`), its id last: (updated_at, id) in the default order.
Position = tuple[Any, ...]


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
    # When a Scheduled message goes out (staff only); None otherwise.
    send_at: datetime | None = None


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
class NoteRecord:
    """An internal staff note (staff views only)."""

    id: int
    public_id: str
    staff_id: int
    author_name: str
    body: str
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
    # Whether this is what staff see (the v2 rendering adds its `desk` object then).
    staff_view: bool = False
    # Staff views only (empty or None in a client's): notes in full, merge links.
    note_records: list[NoteRecord] = field(default_factory=list)
    merged_at: datetime | None = None
    merged_into: str | None = None
    merged_from: list[str] = field(default_factory=list)


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
    # What staff see of it besides (None in a client's list).
    desk: DeskSummaryRecord | None = None


@dataclass(frozen=True, slots=True)
class DeskSummaryRecord:
    """The staff's part of a ticket in a list (desk.md's ◦ fields)."""

    status_name: str
    client_id: int | None
    owner_id: int | None
    tags: list[str]
    unread: bool
    escalated: int
    resolve_date: datetime | None


@dataclass(frozen=True, slots=True)
class TicketEdit:
    """A staff change to a ticket (the v2 PATCH), in the model's terms; `given` names the
    fields the request carries (a field given as None clears it: owner, deadline)."""

    given: frozenset[str]
    status: str | None = None
    priority: str | None = None
    owner_id: int | None = None
    department: str | None = None
    subject: str | None = None
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    deadline: datetime | None = None
    request_type: str | None = None
    internal: bool | None = None
    replies_locked: bool | None = None
    client_may_reopen: bool | None = None
    subscribers: tuple[int, ...] = ()


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
