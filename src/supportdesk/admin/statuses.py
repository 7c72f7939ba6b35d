"""Ticket statuses: the built-in six (recoloured, their flags changed; never renamed, remapped
or deleted) and the ones an organisation adds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from supportdesk.admin.common import (
    Fields,
    check_text,
    known,
    refuse_duplicate,
    require_admin,
    required,
    taken,
)
from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Conflict, InvalidField, NotFound
from supportdesk.departments.models import V2_STATUSES, Status
from supportdesk.tickets import versions
from supportdesk.tickets.models import Reply, Ticket

FIELDS = frozenset({"name", "color", "auto_close", "pauses_sla", "v2_status"})
_COLOR = re.compile(r"[0-9a-fA-F]{6}")
# Replies waiting to be sent name the status they set by its name.
_UNSENT = ("Draft", "Scheduled")


@dataclass(frozen=True, slots=True)
class StatusRecord:
    id: int
    name: str
    color: str
    auto_close: bool
    pauses_sla: bool
    v2_status: str
    builtin: bool


_COLUMNS = (
    Status.id,
    Status.name,
    Status.color,
    Status.auto_close,
    Status.pauses_sla,
    Status.v2_status,
    Status.builtin,
)


def _record(row: Any) -> StatusRecord:
    return StatusRecord(
        id=int(row.id),
        name=row.name,
        color=row.color,
        auto_close=bool(row.auto_close),
        pauses_sla=bool(row.pauses_sla),
        v2_status=row.v2_status,
        builtin=bool(row.builtin),
    )


async def list_statuses(session: DbSession, actor: Actor) -> list[StatusRecord]:
    require_admin(actor)
    rows = await session.execute(select(*_COLUMNS).order_by(Status.id))
    return [_record(row) for row in rows]


async def get_status(session: DbSession, actor: Actor, status_id: int) -> StatusRecord:
    require_admin(actor)
    row = (await session.execute(select(*_COLUMNS).where(Status.id == status_id))).first()
    if row is None:
        raise NotFound("No status has that id.")
    return _record(row)


async def _columns(
    session: DbSession, fields: Fields, status_id: int | None, current_name: str | None = None
) -> dict[str, Any]:
    known(fields, FIELDS)
    for field, value in fields.items():
        if value is None:
            raise InvalidField(field, "may not be null", code="required")
    values = dict(fields)
    check_text(Status.__table__, values)  # type: ignore[arg-type]
    color = fields.get("color")
    if color is not None:
        if not _COLOR.fullmatch(color):
            raise InvalidField("color", "is 6 hex digits, without #", code="invalid_format")
        values["color"] = color.lower()
    v2_status = fields.get("v2_status")
    if v2_status is not None and v2_status not in V2_STATUSES:
        raise InvalidField("v2_status", f"must be one of {', '.join(V2_STATUSES)}")
    name = fields.get("name")
    if name is not None and name != current_name:
        if name.lower() in V2_STATUSES:
            # A ticket PATCH takes a status name or a v2 status: the two must not collide.
            raise InvalidField("name", "may not be a v2 status value", code="reserved")
        duplicate = await taken(
            session,
            Status.name,
            name,
            other_than=status_id,
            id_column=Status.id,
            case_insensitive=True,
        )
        refuse_duplicate(duplicate, "status", "name", name)
    return values


async def create_status(session: DbSession, actor: Actor, fields: Fields) -> StatusRecord:
    """Add a status (`unknown` in v2 unless mapped to a v2 status)."""
    require_admin(actor)
    required(fields, "name")
    values = {
        "color": "000000",
        "auto_close": False,
        "pauses_sla": False,
        "v2_status": "unknown",
        **await _columns(session, fields, None),
        "builtin": False,
    }
    result = await session.execute(insert(Status).values(**values).returning(Status.id))
    return await get_status(session, actor, int(result.scalar_one()))


async def update_status(
    session: DbSession, actor: Actor, status_id: int, fields: Fields
) -> StatusRecord:
    """Change a status; a built-in one keeps its name and v2 status (409)."""
    require_admin(actor)
    current = await get_status(session, actor, status_id)
    values = await _columns(session, fields, status_id, current.name)
    if current.builtin:
        if values.get("name", current.name) != current.name:
            raise Conflict(f"{current.name} is a built-in status: it cannot be renamed.")
        if values.get("v2_status", current.v2_status) != current.v2_status:
            raise Conflict(f"{current.name} is a built-in status: its v2 status is fixed.")
    if values:
        await session.execute(update(Status).where(Status.id == status_id).values(**values))
        if values.get("name", current.name) != current.name:
            await session.execute(
                update(Reply)
                .where(Reply.status_after == current.name, Reply.status.in_(_UNSENT))
                .values(status_after=values["name"])
            )
        # Tickets show their status's name and colour.
        await versions.shown_data_changed(session)
    return await get_status(session, actor, status_id)


async def delete_status(session: DbSession, actor: Actor, status_id: int) -> None:
    """Delete a custom status that no ticket is in and no unsent reply names (409 otherwise)."""
    require_admin(actor)
    current = await get_status(session, actor, status_id)
    if current.builtin:
        raise Conflict(f"{current.name} is a built-in status: it cannot be deleted.")
    used = (
        await session.execute(
            select(func.count()).select_from(Ticket).where(Ticket.status_id == status_id)
        )
    ).scalar_one()
    if used:
        raise Conflict(f"{used} tickets are in the status {current.name}.")
    waiting = (
        await session.execute(
            select(func.count())
            .select_from(Reply)
            .where(Reply.status_after == current.name, Reply.status.in_(_UNSENT))
        )
    ).scalar_one()
    if waiting:
        raise Conflict(f"{waiting} unsent replies would set the status {current.name}.")
    await session.execute(delete(Status).where(Status.id == status_id))
