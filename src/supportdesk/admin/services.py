"""A client's services, as the billing system keeps them current."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select, update

from supportdesk.admin.clients import get_client
from supportdesk.admin.common import (
    Fields,
    Page,
    check_text,
    known,
    paged,
    require_admin,
    required,
)
from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.core.errors import InvalidField, NotFound
from supportdesk.hosting.models import SERVICE_TYPES, Service
from supportdesk.tickets import versions

FIELDS = frozenset({"type", "name", "status", "next_due", "hostname"})


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    id: int
    client_id: int
    type: str
    name: str
    status: str
    next_due: date | None
    hostname: str


_COLUMNS = (
    Service.id,
    Service.client_id,
    Service.service_type,
    Service.name,
    Service.status,
    Service.next_due,
    Service.hostname,
)


def _record(row: object) -> ServiceRecord:
    values = row._mapping  # type: ignore[attr-defined]
    next_due = values["next_due"]
    if isinstance(next_due, str):  # SQLite returns the text it stored
        next_due = date.fromisoformat(next_due)
    return ServiceRecord(
        id=int(values["id"]),
        client_id=int(values["client_id"]),
        type=values["service_type"],
        name=values["name"],
        status=values["status"],
        next_due=next_due,
        hostname=values["hostname"] or "",
    )


def _columns(fields: Fields) -> dict[str, object]:
    known(fields, FIELDS)
    for name in ("type", "name", "status", "hostname"):
        if name in fields and fields[name] is None:
            raise InvalidField(name, "may not be null", code="required")
    if fields.get("type") is not None and fields["type"] not in SERVICE_TYPES:
        raise InvalidField("type", f"must be one of {', '.join(SERVICE_TYPES)}")
    values = {("service_type" if k == "type" else k): v for k, v in fields.items()}
    check_text(Service.__table__, values, {"service_type": "type"})  # type: ignore[arg-type]
    next_due = values.get("next_due")
    if isinstance(next_due, str):
        try:
            values["next_due"] = date.fromisoformat(next_due)
        except ValueError:
            raise InvalidField("next_due", "is a date, YYYY-MM-DD", code="invalid_date") from None
    return values


async def list_services(
    session: DbSession,
    actor: Actor,
    client_id: int,
    *,
    after_id: int | None = None,
    limit: int = 50,
) -> Page[ServiceRecord]:
    require_admin(actor)
    await get_client(session, actor, client_id)
    statement = (
        select(*_COLUMNS).where(Service.client_id == client_id).order_by(Service.id)
    ).limit(limit + 1)
    if after_id is not None:
        statement = statement.where(Service.id > after_id)
    rows = (await session.execute(statement)).all()
    return paged([_record(row) for row in rows], limit)


async def get_service(session: DbSession, actor: Actor, service_id: int) -> ServiceRecord:
    require_admin(actor)
    row = (await session.execute(select(*_COLUMNS).where(Service.id == service_id))).first()
    if row is None:
        raise NotFound("No service has that id.")
    return _record(row)


async def create_service(
    session: DbSession, actor: Actor, client_id: int, fields: Fields
) -> ServiceRecord:
    """Add a service to a client (`Active` unless told)."""
    require_admin(actor)
    await get_client(session, actor, client_id)
    required(fields, "type", "name")
    values = {"status": "Active", "hostname": "", **_columns(fields), "client_id": client_id}
    result = await session.execute(insert(Service).values(**values).returning(Service.id))
    return await get_service(session, actor, int(result.scalar_one()))


async def update_service(
    session: DbSession, actor: Actor, service_id: int, fields: Fields
) -> ServiceRecord:
    """Change a service (tickets linked to it show its name, status, due date, host)."""
    require_admin(actor)
    await get_service(session, actor, service_id)
    values = _columns(fields)
    if values:
        await session.execute(update(Service).where(Service.id == service_id).values(**values))
        await versions.shown_data_changed(session)
    return await get_service(session, actor, service_id)
