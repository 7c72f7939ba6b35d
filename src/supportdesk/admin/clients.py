"""Client groups and clients: added, edited, suspended or closed (never deleted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, or_, select, update

from supportdesk.accounts.models import CLIENT_STATUSES, Client, ClientGroup
from supportdesk.admin.common import (
    Fields,
    Page,
    check_text,
    known,
    paged,
    refuse_duplicate,
    require_admin,
    required,
    taken,
)
from supportdesk.core.actor import Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.db import DbSession
from supportdesk.core.errors import InvalidField, NotFound
from supportdesk.tickets import versions

CLIENT_FIELDS = frozenset({"firstname", "lastname", "company", "email", "group_id", "status"})


@dataclass(frozen=True, slots=True)
class GroupRecord:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class ClientRecord:
    id: int
    firstname: str
    lastname: str
    company: str
    email: str
    group_id: int | None
    status: str
    created_at: datetime


# --- groups ---------------------------------------------------------------------------------


async def list_groups(
    session: DbSession, actor: Actor, *, after_id: int | None = None, limit: int = 50
) -> Page[GroupRecord]:
    require_admin(actor)
    statement = select(ClientGroup.id, ClientGroup.name).order_by(ClientGroup.id).limit(limit + 1)
    if after_id is not None:
        statement = statement.where(ClientGroup.id > after_id)
    rows = (await session.execute(statement)).all()
    return paged([GroupRecord(int(row[0]), row[1]) for row in rows], limit)


async def _group(session: DbSession, group_id: int) -> GroupRecord:
    row = (
        await session.execute(
            select(ClientGroup.id, ClientGroup.name).where(ClientGroup.id == group_id)
        )
    ).first()
    if row is None:
        raise NotFound("No client group has that id.")
    return GroupRecord(int(row[0]), row[1])


async def create_group(session: DbSession, actor: Actor, name: str) -> GroupRecord:
    require_admin(actor)
    check_text(ClientGroup.__table__, {"name": name})  # type: ignore[arg-type]
    refuse_duplicate(
        await taken(session, ClientGroup.name, name, case_insensitive=True), "group", "name", name
    )
    result = await session.execute(insert(ClientGroup).values(name=name).returning(ClientGroup.id))
    return await _group(session, int(result.scalar_one()))


async def rename_group(session: DbSession, actor: Actor, group_id: int, name: str) -> GroupRecord:
    """Rename a group (tickets show the client's group name)."""
    require_admin(actor)
    await _group(session, group_id)
    check_text(ClientGroup.__table__, {"name": name})  # type: ignore[arg-type]
    duplicate = await taken(
        session,
        ClientGroup.name,
        name,
        other_than=group_id,
        id_column=ClientGroup.id,
        case_insensitive=True,
    )
    refuse_duplicate(duplicate, "group", "name", name)
    await session.execute(update(ClientGroup).where(ClientGroup.id == group_id).values(name=name))
    await versions.shown_data_changed(session)
    return await _group(session, group_id)


# --- clients --------------------------------------------------------------------------------

_COLUMNS = (
    Client.id,
    Client.firstname,
    Client.lastname,
    Client.company,
    Client.email,
    Client.group_id,
    Client.status,
    Client.created_at,
)


def _record(row: object) -> ClientRecord:
    values = dict(row._mapping)  # type: ignore[attr-defined]
    return ClientRecord(**values)


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_clients(
    session: DbSession,
    actor: Actor,
    *,
    q: str | None = None,
    status: str | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> Page[ClientRecord]:
    """Clients by id; `q` finds text in the name, company or address (case-insensitively)."""
    require_admin(actor)
    statement = select(*_COLUMNS).order_by(Client.id).limit(limit + 1)
    if after_id is not None:
        statement = statement.where(Client.id > after_id)
    if status is not None:
        statement = statement.where(Client.status == status)
    if q:
        pattern = _like(q)
        name = func.lower(Client.firstname + " " + Client.lastname)
        statement = statement.where(
            or_(
                *(
                    column.like(pattern, escape="\\")
                    for column in (
                        name,
                        func.lower(Client.company),
                        func.lower(Client.email),
                    )
                )
            )
        )
    rows = (await session.execute(statement)).all()
    return paged([_record(row) for row in rows], limit)


async def get_client(session: DbSession, actor: Actor, client_id: int) -> ClientRecord:
    require_admin(actor)
    row = (await session.execute(select(*_COLUMNS).where(Client.id == client_id))).first()
    if row is None:
        raise NotFound("No client has that id.")
    return _record(row)


async def _check(session: DbSession, fields: Fields, client_id: int | None) -> None:
    known(fields, CLIENT_FIELDS)
    check_text(Client.__table__, fields)  # type: ignore[arg-type]
    for name in ("firstname", "lastname", "company", "email", "status"):
        if name in fields and fields[name] is None:
            raise InvalidField(name, "may not be null", code="required")
    status = fields.get("status")
    if status is not None and status not in CLIENT_STATUSES:
        raise InvalidField("status", f"must be one of {', '.join(CLIENT_STATUSES)}")
    group_id = fields.get("group_id")
    if group_id is not None:
        found = (
            await session.execute(select(ClientGroup.id).where(ClientGroup.id == group_id))
        ).first()
        if found is None:
            raise InvalidField("group_id", "no client group has that id", code="unknown_reference")
    email = fields.get("email")
    if email is not None:
        duplicate = await taken(
            session,
            Client.email,
            email,
            other_than=client_id,
            id_column=Client.id,
            case_insensitive=True,
        )
        refuse_duplicate(duplicate, "client", "email", email)


async def create_client(session: DbSession, actor: Actor, fields: Fields) -> ClientRecord:
    """Add a client (Active unless told); addresses are unique (409 on a duplicate)."""
    require_admin(actor)
    required(fields, "firstname", "lastname", "email")
    await _check(session, fields, None)
    values = {"company": "", "status": "Active", **fields, "created_at": utcnow()}
    result = await session.execute(insert(Client).values(**values).returning(Client.id))
    return await get_client(session, actor, int(result.scalar_one()))


async def update_client(
    session: DbSession, actor: Actor, client_id: int, fields: Fields
) -> ClientRecord:
    """Change a client; `Suspended` or `Closed` stops its keys (403)."""
    require_admin(actor)
    await get_client(session, actor, client_id)
    await _check(session, fields, client_id)
    if fields:
        await session.execute(update(Client).where(Client.id == client_id).values(**fields))
        await versions.shown_data_changed(session)
    return await get_client(session, actor, client_id)
