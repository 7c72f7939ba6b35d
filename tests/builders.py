"""Small builders for test data: SQLAlchemy Core inserts, each in its own transaction.

Every builder takes the app's `Database` and returns the new row's id (tickets: id and number).
Datetimes are aware UTC; the defaults are fixed so that rendered values are predictable.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from supportdesk.core.db import Database, DbSession
from supportdesk.core.ids import public_id
from supportdesk.keys.models import ApiKey
from supportdesk.keys.service import create_key
from supportdesk.models import (
    Attachment,
    Brand,
    Client,
    ClientGroup,
    Department,
    Note,
    Reply,
    Service,
    SlaPolicy,
    Staff,
    Status,
    Tag,
    Ticket,
    TicketLabel,
    TicketService,
    TicketSubscription,
    TicketTag,
)
from supportdesk.tickets import versions

OPENED = datetime(2026, 11, 20, 9, 30, 15, 123000, tzinfo=UTC)
_serial = itertools.count(1)


def _unique(prefix: str) -> str:
    return f"{prefix}{next(_serial)}"


async def _insert(db: Database, statement: Any, *, shown_on: int | None = None) -> int:
    """Insert a row; `shown_on` names the ticket that shows it, whose version then moves in the
    same transaction, as the services' `record_change` moves it (answers are cached by it)."""
    async with db.transaction() as session:
        row_id = int((await session.execute(statement)).scalar_one())
        if shown_on is not None:
            await versions.ticket_changed(session, shown_on)
        return row_id


async def client_group(db: Database, name: str = "Gold") -> int:
    return await _insert(db, insert(ClientGroup).values(name=name).returning(ClientGroup.id))


async def client(
    db: Database,
    *,
    status: str = "Active",
    group_id: int | None = None,
    firstname: str = "Ada",
    lastname: str = "Lovelace",
    email: str | None = None,
) -> int:
    return await _insert(
        db,
        insert(Client)
        .values(
            group_id=group_id,
            firstname=firstname,
            lastname=lastname,
            company="",
            email=email or f"{_unique('client')}@example.com",
            status=status,
            created_at=OPENED - timedelta(days=30),
        )
        .returning(Client.id),
    )


async def staff(
    db: Database,
    *,
    username: str | None = None,
    firstname: str = "Grace",
    lastname: str = "Hopper",
    email: str | None = None,
    status: str = "Active",
) -> int:
    username = username or _unique("staff")
    return await _insert(
        db,
        insert(Staff)
        .values(
            username=username,
            firstname=firstname,
            lastname=lastname,
            email=email or f"{username}@hostup.example",
            status=status,
        )
        .returning(Staff.id),
    )


async def department(db: Database, *, name: str = "Technical Support", visible: bool = True) -> int:
    return await _insert(
        db,
        insert(Department)
        .values(slug=_unique("dept-"), name=name, email="support@hostup.example", visible=visible)
        .returning(Department.id),
    )


async def brand(db: Database, name: str = "HostUp Business") -> int:
    return await _insert(db, insert(Brand).values(name=name).returning(Brand.id))


async def sla_policy(db: Database, dept_id: int, *, level: int = 1, hours: int = 4) -> int:
    return await _insert(
        db,
        insert(SlaPolicy)
        .values(department_id=dept_id, level=level, hours=hours)
        .returning(SlaPolicy.id),
    )


async def custom_status(db: Database, name: str, color: str = "123abc") -> int:
    return await _insert(
        db, insert(Status).values(name=name, color=color, builtin=False).returning(Status.id)
    )


async def _status_id(session: DbSession, name: str) -> int:
    return int((await session.execute(select(Status.id).where(Status.name == name))).scalar_one())


async def _tag_id(session: DbSession, name: str) -> int:
    found = (await session.execute(select(Tag.id).where(Tag.name == name))).scalar_one_or_none()
    if found is not None:
        return int(found)
    return int(
        (await session.execute(insert(Tag).values(name=name).returning(Tag.id))).scalar_one()
    )


@dataclass(frozen=True, slots=True)
class BuiltTicket:
    id: int
    number: int


async def ticket(
    db: Database,
    *,
    number: int,
    dept_id: int,
    client_id: int | None,
    status: str = "Open",
    subject: str = "My VPS does not boot",
    body: str = "Since the last reboot the console shows a kernel panic.",
    name: str = "Ada Lovelace",
    email: str = "ada@example.com",
    priority: str = "medium",
    flags: int = 0,
    owner_id: int | None = None,
    cc: str = "",
    bcc: str = "",
    tags: Iterable[str] = (),
    labels: Iterable[tuple[str, str]] = (),
    subscriptions: Iterable[int] = (),
    admin_read: bool = False,
    client_read: bool = True,
    type: str = "Client",
    request_type: str = "General",
    created_at: datetime = OPENED,
    last_reply_at: datetime | None = None,
    updated_at: datetime | None = None,
    org_dept_id: int | None = None,
    **columns: Any,
) -> BuiltTicket:
    """A ticket with its tags, labels (`metadata`) and subscriptions; any other column by name."""
    async with db.transaction() as session:
        values: dict[str, Any] = {
            "public_id": public_id("tkt"),
            "ticket_number": number,
            "acc_hash": hashlib.md5(str(number).encode(), usedforsecurity=False).hexdigest(),
            "dept_id": dept_id,
            "org_dept_id": org_dept_id or dept_id,
            "client_id": client_id,
            "creator_id": client_id or 0,
            "owner_id": owner_id,
            "status_id": await _status_id(session, status),
            "name": name,
            "email": email,
            "cc": cc,
            "bcc": bcc,
            "subject": subject,
            "body": body,
            "priority": priority,
            "flags": flags,
            "admin_read": admin_read,
            "client_read": client_read,
            "type": type,
            "request_type": request_type,
            "created_at": created_at,
            "last_reply_at": last_reply_at or created_at,
            "updated_at": updated_at or created_at,
            "start_date": created_at,
            **columns,
        }
        ticket_id = int(
            (await session.execute(insert(Ticket).values(values).returning(Ticket.id))).scalar_one()
        )
        for tag in tags:
            tag_id = await _tag_id(session, tag)
            await session.execute(insert(TicketTag).values(ticket_id=ticket_id, tag_id=tag_id))
        for key, value in labels:
            await session.execute(
                insert(TicketLabel).values(ticket_id=ticket_id, key=key, value=value)
            )
        for staff_id in subscriptions:
            await session.execute(
                insert(TicketSubscription).values(ticket_id=ticket_id, staff_id=staff_id)
            )
    return BuiltTicket(ticket_id, number)


def _reply_values(ticket_id: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "public_id": public_id("tmsg"),
        "ticket_id": ticket_id,
        "replier_id": 0,
        "name": "Grace Hopper",
        "email": "grace@hostup.example",
        "body": "We are looking into it.",
        "status": "Sent",
        "type": "Admin",
        "created_at": OPENED + timedelta(hours=1),
    }
    values.update(overrides)
    return values


async def reply(db: Database, ticket_id: int, **columns: Any) -> int:
    """A reply (by default a sent staff reply an hour after opening); any column by name."""
    return await _insert(
        db,
        insert(Reply).values(_reply_values(ticket_id, **columns)).returning(Reply.id),
        shown_on=ticket_id,
    )


async def replies(db: Database, ticket_id: int, count: int, **columns: Any) -> None:
    """`count` sent replies, a minute apart, in one transaction."""
    rows = [
        _reply_values(
            ticket_id, body=f"Reply {i}", created_at=OPENED + timedelta(minutes=i + 1), **columns
        )
        for i in range(count)
    ]
    async with db.transaction() as session:
        await session.execute(insert(Reply), rows)  # type: ignore[arg-type]
        await versions.ticket_changed(session, ticket_id)


async def note(db: Database, ticket_id: int, staff_id: int, body: str) -> int:
    return await _insert(
        db,
        insert(Note)
        .values(
            ticket_id=ticket_id, staff_id=staff_id, body=body, created_at=OPENED, updated_at=OPENED
        )
        .returning(Note.id),
        shown_on=ticket_id,
    )


async def attachment(
    db: Database,
    ticket_id: int,
    *,
    reply_id: int | None = None,
    filename: str = "console.log",
    data: bytes = b"kernel panic - not syncing",
) -> int:
    return await _insert(
        db,
        insert(Attachment)
        .values(
            public_id=public_id("tatt"),
            upload_id=public_id("satt"),
            ticket_id=ticket_id,
            reply_id=reply_id,
            filename=filename,
            content_type="text/plain",
            byte_length=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_at=OPENED,
        )
        .returning(Attachment.id),
        shown_on=ticket_id,
    )


async def service(
    db: Database,
    client_id: int,
    *,
    service_type: str = "vps",
    name: str = "vps-01",
    status: str = "Active",
    next_due: date | None = date(2026, 12, 1),
    hostname: str = "vps-01.example.net",
) -> int:
    return await _insert(
        db,
        insert(Service)
        .values(
            client_id=client_id,
            service_type=service_type,
            name=name,
            status=status,
            next_due=next_due,
            hostname=hostname,
        )
        .returning(Service.id),
    )


async def link_service(
    db: Database,
    ticket_id: int,
    service_id: int,
    *,
    ai_summary: str = "",
    ai_helpful: bool | None = None,
    created_at: datetime = OPENED,
    updated_at: datetime | None = None,
) -> int:
    return await _insert(
        db,
        insert(TicketService)
        .values(
            ticket_id=ticket_id,
            service_id=service_id,
            ai_summary=ai_summary,
            ai_helpful=ai_helpful,
            created_at=created_at,
            updated_at=updated_at or created_at,
        )
        .returning(TicketService.id),
        shown_on=ticket_id,
    )


async def api_key(
    db: Database,
    *,
    client_id: int | None = None,
    staff_id: int | None = None,
    scopes: Sequence[str] = ("read:support",),
    rate_limit_per_minute: int | None = None,
    expires_in_days: int | None = None,
) -> tuple[int, str]:
    """A key issued the way the CLI issues it: `(id, key)`."""
    async with db.transaction() as session:
        return await create_key(
            session,
            client_id=client_id,
            staff_id=staff_id,
            scopes=list(scopes),
            expires_in_days=expires_in_days,
            rate_limit_per_minute=rate_limit_per_minute,
        )


async def update_key(db: Database, key_id: int, **values: Any) -> None:
    """Set columns of a key directly (e.g. `revoked_at`, `expires_at` in the past)."""
    async with db.transaction() as session:
        await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(values))


@dataclass(frozen=True, slots=True)
class World:
    """Two active clients (one in a group), a suspended one, two staff, two departments, keys."""

    group_id: int
    client_id: int
    other_client_id: int
    suspended_client_id: int
    owner_id: int
    staff_id: int
    dept_id: int
    hidden_dept_id: int
    client_key: str
    other_client_key: str
    suspended_client_key: str
    staff_key: str
    account_only_key: str


async def world(db: Database) -> World:
    group_id = await client_group(db, "Gold")
    client_id = await client(db, group_id=group_id, email="ada@example.com")
    other_client_id = await client(db, firstname="Alan", lastname="Turing")
    suspended_client_id = await client(db, status="Suspended")
    owner_id = await staff(
        db, username="jdoe", firstname="John", lastname="Doe", email="john.doe@hostup.example"
    )
    staff_id = await staff(db)
    return World(
        group_id=group_id,
        client_id=client_id,
        other_client_id=other_client_id,
        suspended_client_id=suspended_client_id,
        owner_id=owner_id,
        staff_id=staff_id,
        dept_id=await department(db, name="Technical Support"),
        hidden_dept_id=await department(db, name="Abuse", visible=False),
        client_key=(await api_key(db, client_id=client_id))[1],
        other_client_key=(await api_key(db, client_id=other_client_id))[1],
        suspended_client_key=(await api_key(db, client_id=suspended_client_id))[1],
        staff_key=(await api_key(db, staff_id=staff_id, scopes=("read:support", "write:support")))[
            1
        ],
        account_only_key=(await api_key(db, client_id=client_id, scopes=("read:account",)))[1],
    )
