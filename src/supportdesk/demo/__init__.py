"""`supportdesk demo`: load the demo data set of `demo.data` once, whatever the backend.

Loading is idempotent: the data set is recognised by its marker staff member, and a second run
only reads back the summary. Everything is written through SQLAlchemy Core statements on one
`DbSession`, so it runs unchanged on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from supportdesk.accounts.models import Client, ClientGroup, Staff
from supportdesk.attachments.storage import FileStore
from supportdesk.core.actor import VIA_CLI, Actor
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Conflict
from supportdesk.core.ids import public_id
from supportdesk.core.models import Base
from supportdesk.demo.data import (
    CLIENTS,
    CUSTOM_STATUS,
    DEPARTMENTS,
    FILES,
    GROUPS,
    MARKER_USERNAME,
    SERVICES,
    STAFF,
    TICKETS,
    ClientSpec,
    Message,
    TicketSpec,
)
from supportdesk.departments.models import CLIENT_REPLY, CLOSED, OPEN, Department, SlaPolicy, Status
from supportdesk.hosting.models import Service, TicketService
from supportdesk.tickets import service as tickets_service
from supportdesk.tickets.models import (
    FLAG_HAS_NOTES,
    SENT,
    Attachment,
    Note,
    Reply,
    Tag,
    Ticket,
    TicketLabel,
    TicketSubscription,
    TicketTag,
)

_CLIENT_SIDE = {"client", "guest"}
# The demo's desk sign-in (`/desk/`): a demo staff member with a published password, set
# when the demo is loaded (and on any later run while that member has none).
DESK_USERNAME = "sara.ek"
DESK_PASSWORD = "demo-desk-password"  # noqa: S105 (published: it is the demo's)


@dataclass
class _Loaded:
    """The ids of what has been inserted so far, by the keys the data set uses."""

    clients: dict[str, int] = field(default_factory=dict)
    staff: dict[str, int] = field(default_factory=dict)
    departments: dict[str, int] = field(default_factory=dict)
    sla: dict[tuple[str, int], int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    services: dict[str, int] = field(default_factory=dict)
    tags: dict[str, int] = field(default_factory=dict)
    tickets: dict[int, int] = field(default_factory=dict)


def demo_access_hash(number: int) -> str:
    """A demo ticket's `acc_hash`: fixed, so that its portal link is known in advance."""
    return hashlib.sha256(f"demo-{number}".encode()).hexdigest()[:32]


async def load_demo(session: DbSession, files: FileStore) -> dict[str, Any]:
    """Load the demo data set unless it is there already; return what it contains.

    Attachments are written to `files` the way uploads are: durably, before the rows that
    name them are committed.

    The summary lists the demo clients by id, each with the numbers of all of its tickets
    (internal and merged ones included; guest tickets belong to no client and are not listed),
    and the demo staff by id.
    """
    marker = await session.execute(select(Staff.id).where(Staff.username == MARKER_USERNAME))
    if marker.first() is None:
        collisions = await _collisions(session)
        if collisions:
            raise Conflict(
                f"this database already holds other data the demo would collide with "
                f"({'; '.join(collisions)}): load the demo into a new database, or into one "
                "it was loaded into before"
            )
        await _load(session, files)
    await _desk_password(session)
    return await _summary(session)


async def _desk_password(session: DbSession) -> None:
    from supportdesk.sessions import repository as sign_in_rows
    from supportdesk.sessions.passwords import hash_password

    found = await sign_in_rows.staff_login(session, DESK_USERNAME)
    if found is not None and found.password_hash is None:
        await sign_in_rows.set_password_hash(session, found.id, hash_password(DESK_PASSWORD))


async def _collisions(session: DbSession) -> list[str]:
    """The unique names and numbers of the data set that the database holds already."""
    unique: list[tuple[str, Any, list[Any]]] = [
        ("department slugs", Department.slug, [dept.slug for dept in DEPARTMENTS]),
        ("client e-mails", Client.email, [client.email for client in CLIENTS]),
        ("staff usernames", Staff.username, [member.username for member in STAFF]),
        ("staff e-mails", Staff.email, [member.email for member in STAFF]),
        ("ticket numbers", Ticket.ticket_number, [spec.number for spec in TICKETS]),
    ]
    found = []
    for label, column, values in unique:
        taken = (await session.execute(select(column).where(column.in_(values)))).scalars()
        names = sorted(str(value) for value in taken)
        if names:
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            found.append(f"{label} {shown}")
    return found


async def _summary(session: DbSession) -> dict[str, Any]:
    emails = [client.email for client in CLIENTS]
    clients = (
        await session.execute(
            select(Client.id, Client.firstname, Client.lastname, Client.status)
            .where(Client.email.in_(emails))
            .order_by(Client.id)
        )
    ).all()
    numbers: dict[int, list[int]] = {row[0]: [] for row in clients}
    tickets = await session.execute(
        select(Ticket.client_id, Ticket.ticket_number)
        .where(Ticket.client_id.in_(list(numbers)))
        .order_by(Ticket.ticket_number)
    )
    for client_id, number in tickets.all():
        numbers[client_id].append(number)
    staff = await session.execute(
        select(Staff.id, Staff.username)
        .where(Staff.username.in_([member.username for member in STAFF]))
        .order_by(Staff.id)
    )
    return {
        "clients": [
            {
                "id": client_id,
                "name": f"{firstname} {lastname}",
                "status": status,
                "tickets": numbers[client_id],
            }
            for client_id, firstname, lastname, status in clients
        ],
        "staff": [{"id": staff_id, "username": username} for staff_id, username in staff.all()],
        "desk": {"path": "/desk/", "username": DESK_USERNAME, "password": DESK_PASSWORD},
    }


async def _load(session: DbSession, files: FileStore) -> None:
    ids = _Loaded()
    groups = {name: await _get_or_create(session, ClientGroup, name) for name in GROUPS}
    for client in CLIENTS:
        ids.clients[client.key] = await _insert(
            session,
            Client,
            group_id=groups[client.group],
            firstname=client.firstname,
            lastname=client.lastname,
            company=client.company,
            email=client.email,
            status=client.status,
            created_at=_at(client.created),
        )
    # Staff and department specs name their columns; a department's SLA goes to its own table.
    for member in STAFF:
        ids.staff[member.username] = await _insert(session, Staff, **asdict(member))
    for dept in DEPARTMENTS:
        columns = {name: value for name, value in asdict(dept).items() if name != "sla"}
        ids.departments[dept.slug] = await _insert(session, Department, **columns)
        for level, hours, trigger in dept.sla:
            ids.sla[dept.slug, level] = await _insert(
                session,
                SlaPolicy,
                department_id=ids.departments[dept.slug],
                level=level,
                name=f"{dept.name} level {level}",
                hours=hours,
                trigger=trigger,
            )
    await _load_statuses(session, ids)
    for service in SERVICES:
        ids.services[service.key] = await _insert(
            session,
            Service,
            client_id=ids.clients[service.client],
            service_type=service.service_type,
            name=service.name,
            status=service.status,
            next_due=service.next_due,
            hostname=service.hostname,
        )
    # In the order they were opened, so that row ids grow with time and parents come first.
    for spec in sorted(TICKETS, key=lambda spec: spec.opened):
        await _load_ticket(session, ids, files, spec)


async def _load_statuses(session: DbSession, ids: _Loaded) -> None:
    name, color = CUSTOM_STATUS
    if (await session.execute(select(Status.id).where(Status.name == name))).first() is None:
        await _insert(session, Status, name=name, color=color, v2_status="unknown")
    for status_id, status_name in (await session.execute(select(Status.id, Status.name))).all():
        ids.statuses[status_name] = status_id


async def _load_ticket(
    session: DbSession, ids: _Loaded, files: FileStore, spec: TicketSpec
) -> None:
    opened = _at(spec.opened)
    messages = sorted(spec.messages, key=lambda message: message.after)
    sent = [message for message in messages if message.status == SENT]
    last_reply = opened + _minutes(sent[-1].after) if sent else opened
    changes = [spec.changed_after, *(m.after for m in messages), *(n.after for n in spec.notes)]
    if spec.edited:
        changes.append(spec.edited[0])
    updated = opened + _minutes(max(changes))
    admin_read, client_read = _read_markers(spec, sent)
    dept = next(d for d in DEPARTMENTS if d.slug == spec.dept)
    client = _client(spec.client)
    if client is not None:
        name, email = f"{client.firstname} {client.lastname}", client.email
    else:
        assert spec.guest is not None
        name, email = spec.guest
    if spec.type == "Admin":
        assert spec.opened_by is not None
        creator_id = ids.staff[spec.opened_by]
    else:
        creator_id = ids.clients[spec.client] if spec.client else 0
    ticket_id = await _insert(
        session,
        Ticket,
        public_id=public_id("tkt"),
        ticket_number=spec.number,
        parent_id=ids.tickets[spec.merged_into] if spec.merged_into else None,
        acc_hash=demo_access_hash(spec.number),
        dept_id=ids.departments[spec.dept],
        org_dept_id=ids.departments[spec.dept],
        client_id=ids.clients[spec.client] if spec.client else None,
        creator_id=creator_id,
        owner_id=ids.staff[spec.owner] if spec.owner else None,
        status_id=ids.statuses[spec.status],
        sla_id=ids.sla[spec.dept, spec.escalated] if spec.escalated else None,
        name=name,
        email=email,
        cc=spec.cc,
        bcc=spec.bcc,
        from_address=email if spec.type == "Email" else "",
        subject=spec.subject,
        body=spec.body,
        priority=spec.priority,
        flags=spec.flags | (FLAG_HAS_NOTES if spec.notes else 0),
        admin_read=admin_read,
        client_read=client_read,
        type=spec.type,
        request_type=spec.request_type,
        senderip=spec.senderip,
        escalated=spec.escalated,
        created_at=opened,
        last_reply_at=last_reply,
        updated_at=updated,
        edited_at=opened + _minutes(spec.edited[0]) if spec.edited else None,
        edited_by=spec.edited[1] if spec.edited else "",
        start_date=opened,
        resolve_date=(
            opened + timedelta(hours=dept.resolve_within_hours)
            if dept.resolve_within_hours
            else None
        ),
        deadline=_at(spec.deadline) if spec.deadline else None,
    )
    ids.tickets[spec.number] = ticket_id
    # The demo's history is imported, not replayed: one event says where the timeline starts.
    await tickets_service.record_change(
        session,
        Actor.system(VIA_CLI),
        ticket_id,
        "imported",
        {
            "status": {"from": None, "to": spec.status},
            "department": {"from": None, "to": spec.dept},
            "priority": {"from": None, "to": spec.priority},
            "subject": {"from": None, "to": spec.subject},
        },
        opened,
    )
    for message in messages:
        await _load_reply(session, ids, files, spec, ticket_id, message, (name, email))
    for note in spec.notes:
        await _insert(
            session,
            Note,
            public_id=public_id("tnote"),
            ticket_id=ticket_id,
            staff_id=ids.staff[note.by],
            body=note.body,
            created_at=opened + _minutes(note.after),
            updated_at=opened + _minutes(note.after),
        )
    await _load_ticket_parts(session, ids, spec, ticket_id, opened, last_reply)


async def _load_reply(
    session: DbSession,
    ids: _Loaded,
    files: FileStore,
    spec: TicketSpec,
    ticket_id: int,
    message: Message,
    submitter: tuple[str, str],
) -> None:
    written = _at(spec.opened) + _minutes(message.after)
    values: dict[str, Any] = {"name": submitter[0], "email": submitter[1], "replier_id": 0}
    if message.by == "client":
        values.update(type="Client", replier_id=ids.clients[spec.client or ""])
        values["senderip"] = spec.senderip
    elif message.by == "guest":
        values.update(type="Email", from_address=submitter[1])
    elif message.by == "system":
        values.update(type="System", name="System", email="")
    else:
        member = next(m for m in STAFF if m.username == message.by)
        values.update(
            type="Admin",
            replier_id=ids.staff[message.by],
            name=f"{member.firstname} {member.lastname}",
            email=member.email,
        )
    reply_id = await _insert(
        session,
        Reply,
        public_id=public_id("tmsg"),
        ticket_id=ticket_id,
        body=message.body,
        status=message.status,
        rating=message.rating,
        rated_at=written + timedelta(hours=2) if message.rating else None,
        created_at=written,
        **values,
    )
    if message.attachment is not None:
        content_type, data = FILES[message.attachment]
        await _insert(
            session,
            Attachment,
            public_id=public_id("tatt"),
            upload_id=public_id("satt"),
            ticket_id=ticket_id,
            reply_id=reply_id,
            uploader_client_id=values["replier_id"] if values["type"] == "Client" else None,
            uploader_staff_id=values["replier_id"] if values["type"] == "Admin" else None,
            filename=message.attachment,
            content_type=content_type,
            byte_length=len(data),
            sha256=files.store(data),
            uploaded_at=written,
        )


async def _load_ticket_parts(
    session: DbSession,
    ids: _Loaded,
    spec: TicketSpec,
    ticket_id: int,
    opened: datetime,
    last_reply: datetime,
) -> None:
    for tag in spec.tags:
        if tag not in ids.tags:
            ids.tags[tag] = await _get_or_create(session, Tag, tag)
        await session.execute(insert(TicketTag).values(ticket_id=ticket_id, tag_id=ids.tags[tag]))
    for label in spec.labels:
        key, _, value = label.partition(":")
        await _insert(session, TicketLabel, ticket_id=ticket_id, key=key, value=value)
    for username in spec.subscribers:
        await session.execute(
            insert(TicketSubscription).values(ticket_id=ticket_id, staff_id=ids.staff[username])
        )
    for link in spec.links:
        # Linked when the ticket was opened; a summary is written after the latest message.
        linked = opened + timedelta(minutes=1)
        await _insert(
            session,
            TicketService,
            ticket_id=ticket_id,
            service_id=ids.services[link.service],
            ai_summary=link.ai_summary,
            ai_helpful=link.ai_helpful,
            created_at=linked,
            updated_at=max(linked, last_reply) if link.ai_summary else linked,
        )


def _read_markers(spec: TicketSpec, sent: list[Message]) -> tuple[bool, bool]:
    """(admin_read, client_read): whoever wrote last has read it; a staff status change too."""
    # With no message yet, the opener spoke last: staff for an Admin ticket, else the client.
    client_spoke_last = sent[-1].by in _CLIENT_SIDE if sent else spec.type != "Admin"
    if client_spoke_last:
        return spec.status not in (OPEN, CLIENT_REPLY), True
    return True, spec.status == CLOSED


def _client(key: str | None) -> ClientSpec | None:
    return next((client for client in CLIENTS if client.key == key), None)


async def _insert(session: DbSession, model: type[Base], **values: Any) -> int:
    """Insert one row and return its id."""
    statement = insert(model).values(**values).returning(model.__table__.c.id)
    result = await session.execute(statement)
    row_id: int = result.scalar_one()
    return row_id


async def _get_or_create(
    session: DbSession, model: type[ClientGroup] | type[Tag], name: str
) -> int:
    """The id of the row with that name: a shared vocabulary may hold it already."""
    found = await session.execute(select(model.id).where(model.name == name))
    row_id = found.scalar_one_or_none()
    return row_id if row_id is not None else await _insert(session, model, name=name)


def _at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def _minutes(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)
