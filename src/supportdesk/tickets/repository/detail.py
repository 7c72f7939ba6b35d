"""The ticket detail: the ticket as a viewer may see it, in two statements.

The ticket with its small collections aggregated as JSON, then its replies, whatever the size
of the conversation. Both statements are built once per view (staff or client) with bound
parameters, and their rows are mapped to records by column name.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any, TypeAlias

import orjson
from sqlalchemy import (
    Select,
    and_,
    bindparam,
    literal,
    select,
)
from sqlalchemy.orm import aliased

from supportdesk.accounts.models import Client, ClientGroup, Staff
from supportdesk.core.actor import Actor
from supportdesk.core.clock import as_datetime, parse_stored
from supportdesk.core.db import DbSession
from supportdesk.core.sql import json_list, json_row_of
from supportdesk.departments.models import Department, Status
from supportdesk.hosting.models import Service, TicketService
from supportdesk.tickets.models import (
    Attachment,
    Note,
    Reply,
    Tag,
    Ticket,
    TicketLabel,
    TicketSubscription,
    TicketTag,
)
from supportdesk.tickets.records import (
    AttachmentRecord,
    LinkedServiceRecord,
    NoteRecord,
    OwnerRecord,
    ReplyRecord,
    TicketRecord,
)
from supportdesk.tickets.repository.scope import (
    client_scope,
    file_shown_to_clients,
    guest_scope,
    reply_shown_to_clients,
)

AnySelect: TypeAlias = Select[*tuple[Any, ...]]
_OrgDepartment = aliased(Department, name="org_department")
_NoteAuthor = aliased(Staff, name="note_author")
_Parent = aliased(Ticket, name="parent_ticket")
_Merged = aliased(Ticket, name="merged_ticket")


def linked_services_column() -> Any:
    return (
        select(
            json_list(
                json_row_of(
                    id=TicketService.id,
                    service_id=Service.id,
                    client_id=Service.client_id,
                    service_type=Service.service_type,
                    name=Service.name,
                    status=Service.status,
                    next_due=Service.next_due,
                    hostname=Service.hostname,
                    ai_summary=TicketService.ai_summary,
                    ai_helpful=TicketService.ai_helpful,
                    created_at=TicketService.created_at,
                    updated_at=TicketService.updated_at,
                )
            )
        )
        .select_from(TicketService)
        .join(Service, Service.id == TicketService.service_id)
        .where(TicketService.ticket_id == Ticket.id)
        .scalar_subquery()
    )


def _collections(staff_view: bool) -> list[Any]:
    tags = (
        select(json_list(Tag.name))
        .join(TicketTag, TicketTag.tag_id == Tag.id)
        .where(TicketTag.ticket_id == Ticket.id)
        .scalar_subquery()
    )
    labels = (
        select(json_list(TicketLabel.key + ":" + TicketLabel.value))
        .where(TicketLabel.ticket_id == Ticket.id)
        .scalar_subquery()
    )
    attachment_filter = Attachment.ticket_id == Ticket.id
    if not staff_view:
        attachment_filter = and_(attachment_filter, file_shown_to_clients())
    attachments = (
        select(
            json_list(
                json_row_of(
                    id=Attachment.id,
                    public_id=Attachment.public_id,
                    reply_id=Attachment.reply_id,
                    filename=Attachment.filename,
                    content_type=Attachment.content_type,
                    byte_length=Attachment.byte_length,
                    uploaded_at=Attachment.uploaded_at,
                )
            )
        )
        .select_from(Attachment)
        .outerjoin(Reply, Reply.id == Attachment.reply_id)
        .where(attachment_filter)
        .scalar_subquery()
    )
    links = linked_services_column()
    if staff_view:
        notes: Any = (
            select(
                json_list(
                    json_row_of(
                        id=Note.id,
                        public_id=Note.public_id,
                        staff_id=Note.staff_id,
                        firstname=_NoteAuthor.firstname,
                        lastname=_NoteAuthor.lastname,
                        body=Note.body,
                        created_at=Note.created_at,
                        updated_at=Note.updated_at,
                    )
                )
            )
            .select_from(Note)
            .join(_NoteAuthor, _NoteAuthor.id == Note.staff_id)
            .where(Note.ticket_id == Ticket.id)
            .scalar_subquery()
        )
        merged_into: Any = (
            select(_Parent.public_id)
            .where(_Parent.id == Ticket.parent_id, Ticket.merged_at.is_not(None))
            .scalar_subquery()
        )
        merged_from: Any = (
            select(json_list(_Merged.public_id))
            .where(_Merged.parent_id == Ticket.id, _Merged.merged_at.is_not(None))
            .scalar_subquery()
        )
        subscriptions: Any = (
            select(json_list(TicketSubscription.staff_id))
            .where(TicketSubscription.ticket_id == Ticket.id)
            .scalar_subquery()
        )
    else:
        notes = subscriptions = merged_into = merged_from = literal(None)
    return [
        tags.label("tags"),
        labels.label("labels"),
        attachments.label("attachments"),
        links.label("links"),
        notes.label("notes"),
        subscriptions.label("subscriptions"),
        merged_into.label("merged_into"),
        merged_from.label("merged_from"),
    ]


@functools.cache
def _detail_statement(staff_view: bool) -> AnySelect:
    statement: AnySelect = (
        select(
            *Ticket.__table__.c,
            Status.name.label("status_name"),
            Status.color.label("status_color"),
            Status.v2_status.label("v2_status"),
            Department.name.label("dept_name"),
            Department.slug.label("dept_slug"),
            _OrgDepartment.name.label("org_dept_name"),
            ClientGroup.name.label("client_group"),
            Staff.id.label("owner_id_"),
            Staff.username.label("owner_username"),
            Staff.firstname.label("owner_firstname"),
            Staff.lastname.label("owner_lastname"),
            Staff.email.label("owner_email"),
            Staff.status.label("owner_status"),
            *_collections(staff_view),
        )
        .join(Status, Status.id == Ticket.status_id)
        .join(Department, Department.id == Ticket.dept_id)
        .join(_OrgDepartment, _OrgDepartment.id == Ticket.org_dept_id)
        .outerjoin(Client, Client.id == Ticket.client_id)
        .outerjoin(ClientGroup, ClientGroup.id == Client.group_id)
        .outerjoin(Staff, Staff.id == Ticket.owner_id)
    )
    return statement


@functools.cache
def _scoped_detail(staff_view: bool, *, by_public_id: bool, guest: bool = False) -> AnySelect:
    """The detail statement with its scope, built once: parameters `ref`, `viewer_client_id`
    (a guest's: `viewer_ticket_id`).

    Built once and reused, SQLAlchemy neither rebuilds nor re-keys it on every read.
    """
    reference = Ticket.public_id if by_public_id else Ticket.ticket_number
    statement = _detail_statement(staff_view).where(reference == bindparam("ref"))
    if guest:
        statement = statement.where(guest_scope(bindparam("viewer_ticket_id")))
    elif not staff_view:
        statement = statement.where(client_scope(bindparam("viewer_client_id")))
    return statement


@functools.cache
def _replies_statement(staff_view: bool) -> AnySelect:
    statement = select(
        Reply.id,
        Reply.public_id,
        Reply.replier_id,
        Reply.name,
        Reply.email,
        Reply.created_at,
        Reply.edited_at,
        Reply.edited_by,
        Reply.body,
        Reply.status,
        Reply.type,
        Reply.flags,
        Reply.senderip,
        Reply.rating,
        Reply.rated_at,
        Reply.from_address,
        Reply.send_at,
    ).where(Reply.ticket_id == bindparam("ticket_id"))
    if not staff_view:
        statement = statement.where(reply_shown_to_clients())
    return statement.order_by(Reply.created_at, Reply.id)


_DATETIMES = (
    "created_at",
    "last_reply_at",
    "updated_at",
    "edited_at",
    "start_date",
    "resolve_date",
    "deadline",
    "merged_at",
)
_BOOLEANS = ("admin_read", "client_read")


@functools.cache
def _column_names(statement: AnySelect) -> tuple[str, ...]:
    return tuple(str(column.key) for column in statement.selected_columns)


def _normalised(row: dict[str, Any]) -> dict[str, Any]:
    """Driver values (SQLite text and integers) as the model's types."""
    for name in _DATETIMES:
        row[name] = as_datetime(row[name])
    for name in _BOOLEANS:
        row[name] = bool(row[name])
    return row


_REPLY_DATETIMES = ("created_at", "edited_at", "rated_at", "send_at")


@functools.cache
def _reply_layout(names: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Where each of ReplyRecord's fields is in a row with columns `names` (matched by name,
    once per statement), and which of the fields are datetimes."""
    fields = [field.name for field in dataclasses.fields(ReplyRecord)]
    return (
        tuple(names.index(name) for name in fields),
        tuple(i for i, name in enumerate(fields) if name in _REPLY_DATETIMES),
    )


def _reply(names: tuple[str, ...], row: Sequence[Any]) -> ReplyRecord:
    order, datetimes = _reply_layout(names)
    values = [row[index] for index in order]
    for index in datetimes:
        values[index] = as_datetime(values[index])
    return ReplyRecord(*values)


def _json(value: str | None) -> list[Any]:
    return orjson.loads(value) if value else []


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _attachments(value: str | None) -> list[AttachmentRecord]:
    return sorted(
        (
            AttachmentRecord(
                id=a["id"],
                public_id=a["public_id"],
                reply_id=a["reply_id"],
                filename=a["filename"],
                content_type=a["content_type"],
                byte_length=a["byte_length"],
                uploaded_at=parse_stored(a["uploaded_at"]),  # type: ignore[arg-type]
            )
            for a in _json(value)
        ),
        key=lambda a: a.id,
    )


def _notes(value: str | None) -> list[NoteRecord]:
    return sorted(
        (
            NoteRecord(
                id=note["id"],
                public_id=note["public_id"],
                staff_id=note["staff_id"],
                author_name=f"{note['firstname']} {note['lastname']}".strip(),
                body=note["body"],
                created_at=parse_stored(note["created_at"]),  # type: ignore[arg-type]
                updated_at=parse_stored(note["updated_at"]),  # type: ignore[arg-type]
            )
            for note in _json(value)
        ),
        key=lambda note: (note.created_at, note.id),
    )


def linked_services(value: str | None) -> list[LinkedServiceRecord]:
    return sorted(
        (
            LinkedServiceRecord(
                id=link["id"],
                service_id=link["service_id"],
                client_id=link["client_id"],
                service_type=link["service_type"],
                name=link["name"],
                status=link["status"],
                next_due=link["next_due"],
                hostname=link["hostname"],
                ai_summary=link["ai_summary"],
                ai_helpful=_flag(link["ai_helpful"]),
                created_at=parse_stored(link["created_at"]),  # type: ignore[arg-type]
                updated_at=parse_stored(link["updated_at"]),  # type: ignore[arg-type]
            )
            for link in _json(value)
        ),
        key=lambda link: link.id,
    )


async def get_visible_ticket(
    session: DbSession, actor: Actor, ref: int | str
) -> TicketRecord | None:
    """The ticket (by number or `tkt_` id) as the actor may see it; None if it may not."""
    staff_view = actor.is_staff
    guest = actor.guest_ticket_id
    statement = _scoped_detail(
        staff_view, by_public_id=isinstance(ref, str), guest=guest is not None
    )
    parameters = {"ref": ref, "viewer_client_id": actor.client_id, "viewer_ticket_id": guest}
    found = await session.rows(statement, parameters)
    if not found:
        return None
    m = _normalised(dict(zip(_column_names(statement), found[0], strict=True)))
    replies_statement = _replies_statement(staff_view)
    names = _column_names(replies_statement)
    replies = [
        _reply(names, row) for row in await session.rows(replies_statement, {"ticket_id": m["id"]})
    ]
    attachments = _attachments(m["attachments"])
    links = linked_services(m["links"])
    notes = _notes(m["notes"])
    owner = (
        OwnerRecord(
            id=m["owner_id_"],
            username=m["owner_username"],
            firstname=m["owner_firstname"],
            lastname=m["owner_lastname"],
            email=m["owner_email"] if staff_view else "",
            status=m["owner_status"],
        )
        if m["owner_id_"] is not None
        else None
    )
    return TicketRecord(
        id=m["id"],
        public_id=m["public_id"],
        ticket_number=m["ticket_number"],
        parent_id=m["parent_id"],
        created_at=m["created_at"],
        last_reply_at=m["last_reply_at"],
        updated_at=m["updated_at"],
        edited_at=m["edited_at"],
        edited_by=m["edited_by"],
        acc_hash=m["acc_hash"],
        dept_id=m["dept_id"],
        client_id=m["client_id"],
        creator_id=m["creator_id"],
        name=m["name"],
        email=m["email"],
        cc=m["cc"],
        bcc=m["bcc"] if staff_view else "",
        subject=m["subject"],
        body=m["body"],
        status=m["status_name"],
        status_color=m["status_color"],
        v2_status=m["v2_status"],
        priority=m["priority"],
        flags=m["flags"],
        tags=sorted(_json(m["tags"])),
        admin_read=m["admin_read"],
        client_read=m["client_read"],
        type=m["type"],
        request_type=m["request_type"],
        senderip=m["senderip"],
        escalated=m["escalated"],
        sla_id=m["sla_id"],
        start_date=m["start_date"],
        resolve_date=m["resolve_date"],
        owner=owner,
        labels=sorted(_json(m["labels"])),
        brand_id=m["brand_id"],
        deadline=m["deadline"],
        dept_name=m["dept_name"],
        dept_slug=m["dept_slug"],
        org_dept_name=m["org_dept_name"],
        client_group=m["client_group"] or "",
        from_address=m["from_address"],
        subscriptions=sorted(_json(m["subscriptions"])),
        replies=replies,
        attachments=attachments,
        notes=[note.body for note in sorted(notes, key=lambda n: n.id)],
        linked_services=links,
        staff_view=staff_view,
        note_records=notes,
        merged_at=m["merged_at"],
        merged_into=m["merged_into"],
        merged_from=sorted(_json(m["merged_from"])),
    )
