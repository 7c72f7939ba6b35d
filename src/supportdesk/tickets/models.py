"""The ticket and its parts, normalised; rendered in HostBill's shape by the API layers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.core.columns import (
    CONTENT_TYPE_LENGTH,
    EMAIL_LENGTH,
    FILENAME_LENGTH,
    IP_ADDRESS_LENGTH,
    PERSON_NAME_LENGTH,
    PRIORITY_LENGTH,
    PUBLIC_ID_LENGTH,
    SUBJECT_LENGTH,
)
from supportdesk.core.ids import public_id
from supportdesk.core.models import Base, UTCDateTime

PRIORITIES = ("low", "medium", "high", "urgent", "critical")
TICKET_TYPES = ("Client", "Admin", "Email", "Unregistered")
REPLY_TYPES = ("Client", "Admin", "Email", "Unregistered", "System")
SENT = "Sent"
DRAFT = "Draft"
SCHEDULED = "Scheduled"
REPLY_STATUSES = (SENT, DRAFT, SCHEDULED)
REQUEST_TYPES = (
    "General",
    "Incident",
    "Problem",
    "Task",
    "Question",
    "Project",
    "Delivery",
    "Billing",
)

FLAG_HAS_NOTES = 1
FLAG_INTERNAL = 16
FLAG_REPLIES_LOCKED = 512
FLAG_SENSITIVE = 1024
FLAG_NO_CLIENT_REOPEN = 4096

REPLY_FLAG_REPORTED = 1
REPLY_FLAG_PINNED = 2
REPLY_FLAG_SENSITIVE = 16


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(_in("priority", PRIORITIES), name="priority"),
        CheckConstraint(_in("type", TICKET_TYPES), name="type"),
        CheckConstraint(_in("request_type", REQUEST_TYPES), name="request_type"),
        Index("ix_tickets_client_activity", "client_id", "updated_at", "id"),
        Index("ix_tickets_activity", "updated_at", "id"),
        # The staff queue (migration 0005): an owner's tickets by priority and activity, a
        # status's by due date.
        Index("ix_tickets_owner_queue", "owner_id", "priority", "updated_at", "id"),
        Index("ix_tickets_status_due", "status_id", "resolve_date", "id"),
        # Auto-close (migration 0006): a status's tickets of a department by their last reply.
        Index("ix_tickets_auto_close", "status_id", "dept_id", "last_reply_at"),
        # The desk's pages (migration 0010): an owner's tickets by activity; and every column
        # the queue's counts read, so that counting scans this index and not the tickets.
        Index("ix_tickets_owner_activity", "owner_id", "updated_at", "id"),
        Index(
            "ix_tickets_queue_counts",
            "status_id",
            "dept_id",
            "owner_id",
            "escalated",
            "admin_read",
            "resolve_date",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_LENGTH), unique=True)
    ticket_number: Mapped[int] = mapped_column(BigInteger, unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    acc_hash: Mapped[str] = mapped_column(String(32))
    dept_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    org_dept_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    # A client id, or a staff id when the ticket was opened by staff (type Admin).
    creator_id: Mapped[int] = mapped_column(Integer, default=0)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    status_id: Mapped[int] = mapped_column(ForeignKey("statuses.id"))
    sla_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id"))
    name: Mapped[str] = mapped_column(String(PERSON_NAME_LENGTH))
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    cc: Mapped[str] = mapped_column(Text, default="")
    bcc: Mapped[str] = mapped_column(Text, default="")
    from_address: Mapped[str] = mapped_column(String(255), default="")
    subject: Mapped[str] = mapped_column(String(SUBJECT_LENGTH))
    body: Mapped[str] = mapped_column(Text)
    # Why the client chose `critical` (v2 asks for it); "" otherwise.
    critical_reason: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(PRIORITY_LENGTH), default="medium")
    flags: Mapped[int] = mapped_column(Integer, default=0)
    admin_read: Mapped[bool] = mapped_column(Boolean, default=False)
    client_read: Mapped[bool] = mapped_column(Boolean, default=True)
    type: Mapped[str] = mapped_column(String(16))
    request_type: Mapped[str] = mapped_column(String(16), default="General")
    senderip: Mapped[str] = mapped_column(String(IP_ADDRESS_LENGTH), default="")
    escalated: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_reply_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    edited_by: Mapped[str] = mapped_column(String(255), default="")
    start_date: Mapped[datetime] = mapped_column(UTCDateTime())
    resolve_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when this ticket was merged into `parent_id` (a split ticket has a parent_id too).
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Moves with every change to anything the ticket shows: the cached answer's key, the ETag.
    version: Mapped[int] = mapped_column(Integer, default=0)


class Reply(Base):
    __tablename__ = "replies"
    __table_args__ = (
        CheckConstraint(_in("type", REPLY_TYPES), name="type"),
        CheckConstraint(_in("status", REPLY_STATUSES), name="status"),
        CheckConstraint("rating BETWEEN 0 AND 5", name="rating"),
        Index("ix_replies_ticket_order", "ticket_id", "created_at", "id"),
        # Scheduled replies due (migration 0006): status `Scheduled` by `send_at`.
        Index("ix_replies_scheduled", "status", "send_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_LENGTH), unique=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    # A staff id for Admin replies, a client id for Client replies, 0 otherwise.
    replier_id: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(PERSON_NAME_LENGTH))
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=SENT)
    type: Mapped[str] = mapped_column(String(16))
    flags: Mapped[int] = mapped_column(Integer, default=0)
    senderip: Mapped[str] = mapped_column(String(IP_ADDRESS_LENGTH), default="")
    rating: Mapped[int] = mapped_column(Integer, default=0)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    from_address: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    edited_by: Mapped[str] = mapped_column(String(255), default="")
    # A Scheduled message is sent at this time (automation.md); None otherwise.
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A scheduled message survives a client reply only when this is set.
    keep_if_client_replies: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether sending it tells the client by mail.
    notify: Mapped[bool] = mapped_column(Boolean, default=True)
    # The status a draft or scheduled message sets when it is sent; "" = Answered.
    status_after: Mapped[str] = mapped_column(String(64), default="")


class Note(Base):
    """An internal staff note: never shown to a client by any door."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(
        String(PUBLIC_ID_LENGTH), unique=True, default=lambda: public_id("tnote")
    )
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Macro(Base):
    """A canned reply (with `{{client.firstname}}`-style fields) plus changes, as a PATCH takes."""

    __tablename__ = "macros"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    body: Mapped[str] = mapped_column(Text, default="")
    # JSON: the changes object of a ticket PATCH (desk.md).
    changes: Mapped[str] = mapped_column(Text, default="{}")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Attachment(Base):
    """A stored file. Uploaded first (`satt_` id, no ticket yet), then attached (`tatt_` id)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_LENGTH), unique=True)
    upload_id: Mapped[str] = mapped_column(String(PUBLIC_ID_LENGTH), unique=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    reply_id: Mapped[int | None] = mapped_column(ForeignKey("replies.id"))
    # Who uploaded it: only they may attach it.
    uploader_client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    uploader_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    filename: Mapped[str] = mapped_column(String(FILENAME_LENGTH))
    content_type: Mapped[str] = mapped_column(String(CONTENT_TYPE_LENGTH))
    byte_length: Mapped[int] = mapped_column(BigInteger)
    # The file's SHA-256 (hex): its name in the content-addressed files directory.
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)


class TicketTag(Base):
    __tablename__ = "ticket_tags"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True)


class TicketSubscription(Base):
    __tablename__ = "ticket_subscriptions"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)


class TicketLabel(Base):
    """A `key:value` label set by a channel or an integration (the ticket's `metadata`)."""

    __tablename__ = "ticket_labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(255))


ACTOR_TYPES = ("client", "staff", "system")


class TicketEvent(Base):
    """One change to a ticket, written in the transaction that made it: the timeline."""

    __tablename__ = "ticket_events"
    __table_args__ = (
        CheckConstraint(_in("actor_type", ACTOR_TYPES), name="actor_type"),
        Index("ix_ticket_events_ticket_order", "ticket_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_type: Mapped[str] = mapped_column(String(16))
    # A client id or a staff id; None for the system.
    actor_id: Mapped[int | None] = mapped_column(Integer)
    # The actor's name when it acted (a later rename does not rewrite history).
    actor_name: Mapped[str] = mapped_column(String(255))
    # The door the change came through: api_v1, api_v2, cli, automation, ...
    via: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    # JSON: {field: {"from": old, "to": new}}.
    changes: Mapped[str] = mapped_column(Text, default="{}")


class RenderGeneration(Base):
    """One row: moves when something many tickets show changes (a department or status renamed,
    a staff member or a client renamed), so that every answer built before it is stale."""

    __tablename__ = "render_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
