"""Macros: a reply text with `{{client.firstname}}`-style fields, plus ticket changes in the
shape of the ticket PATCH (desk.md). Stored here; applied by the desk."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from supportdesk.accounts.models import Staff
from supportdesk.admin.common import (
    Fields,
    Page,
    known,
    paged,
    refuse_duplicate,
    require_admin,
    require_ids,
    required,
    taken,
)
from supportdesk.core.actor import Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.db import DbSession
from supportdesk.core.errors import InvalidField, NotFound
from supportdesk.departments.models import V2_STATUSES, Department, Status
from supportdesk.tickets.models import Macro

FIELDS = frozenset({"name", "body", "changes", "active"})
# The fields a reply text may name: `{{client.firstname}}`, `{{ticket.number}}`, ...
PLACEHOLDERS = frozenset(
    {
        "client.firstname",
        "client.lastname",
        "client.name",
        "client.email",
        "client.company",
        "ticket.number",
        "ticket.subject",
        "ticket.status",
        "ticket.department",
        "staff.firstname",
        "staff.lastname",
        "staff.name",
        "staff.signature",
    }
)
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
CHANGE_KEYS = frozenset(
    {
        "status",
        "priority",
        "ownerId",
        "departmentSlug",
        "subject",
        "ccEmails",
        "bccEmails",
        "tags",
        "addTags",
        "removeTags",
        "deadline",
        "requestType",
        "internal",
        "repliesLocked",
        "clientMayReopen",
        "subscriberIds",
    }
)


@dataclass(frozen=True, slots=True)
class MacroRecord:
    id: int
    name: str
    body: str
    changes: dict[str, Any]
    active: bool
    created_at: datetime
    updated_at: datetime


_COLUMNS = (
    Macro.id,
    Macro.name,
    Macro.body,
    Macro.changes,
    Macro.active,
    Macro.created_at,
    Macro.updated_at,
)


def _record(row: Any) -> MacroRecord:
    return MacroRecord(
        id=int(row.id),
        name=row.name,
        body=row.body or "",
        changes=json.loads(row.changes or "{}"),
        active=bool(row.active),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def list_macros(
    session: DbSession,
    actor: Actor,
    *,
    active: bool | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> Page[MacroRecord]:
    require_admin(actor)
    statement = select(*_COLUMNS).order_by(Macro.id).limit(limit + 1)
    if active is not None:
        statement = statement.where(Macro.active.is_(active))
    if after_id is not None:
        statement = statement.where(Macro.id > after_id)
    return paged([_record(row) for row in await session.execute(statement)], limit)


async def get_macro(session: DbSession, actor: Actor, macro_id: int) -> MacroRecord:
    require_admin(actor)
    row = (await session.execute(select(*_COLUMNS).where(Macro.id == macro_id))).first()
    if row is None:
        raise NotFound("No macro has that id.")
    return _record(row)


def _check_body(body: str) -> None:
    for match in _PLACEHOLDER.finditer(body):
        if match[1] not in PLACEHOLDERS:
            raise InvalidField(
                "body",
                f"{{{{{match[1]}}}}} is not a field: use one of {', '.join(sorted(PLACEHOLDERS))}",
                code="unknown_placeholder",
            )


async def _check_changes(session: DbSession, changes: dict[str, Any]) -> None:
    """What the PATCH would refuse for an unknown name, refused now (the desk re-checks when it
    applies the macro: a status or staff member may have gone since)."""
    unknown = set(changes) - CHANGE_KEYS
    if unknown:
        first = sorted(unknown)[0]
        raise InvalidField(f"changes/{first}", "is not a ticket change", code="unknown_field")
    if "tags" in changes and ({"addTags", "removeTags"} & set(changes)):
        raise InvalidField(
            "changes/tags", "replaces the tags: not with addTags or removeTags", code="conflict"
        )
    status = changes.get("status")
    if status is not None and status not in V2_STATUSES[:-1]:
        found = (
            await session.execute(
                select(Status.id).where(func.lower(Status.name) == status.lower())
            )
        ).first()
        if found is None:
            raise InvalidField(
                "changes/status", f"no status is named {status!r}", code="unknown_reference"
            )
    slug = changes.get("departmentSlug")
    if slug is not None:
        found = (
            await session.execute(select(Department.id).where(Department.slug == slug))
        ).first()
        if found is None:
            raise InvalidField(
                "changes/departmentSlug",
                f"no department has the slug {slug!r}",
                code="unknown_reference",
            )
    if changes.get("ownerId") is not None:
        await require_ids(
            session, Staff.id, [changes["ownerId"]], "changes/ownerId", "staff member"
        )
    subscribers = list(changes.get("subscriberIds") or [])
    await require_ids(session, Staff.id, subscribers, "changes/subscriberIds", "staff member")


async def _columns(session: DbSession, fields: Fields, macro_id: int | None) -> dict[str, Any]:
    known(fields, FIELDS)
    for name, value in fields.items():
        if value is None:
            raise InvalidField(name, "may not be null", code="required")
    values = dict(fields)
    if "body" in fields:
        _check_body(fields["body"])
    if "changes" in fields:
        await _check_changes(session, fields["changes"])
        values["changes"] = json.dumps(fields["changes"], separators=(",", ":"), sort_keys=True)
    if "name" in fields:
        duplicate = await taken(
            session, Macro.name, fields["name"], other_than=macro_id, id_column=Macro.id
        )
        refuse_duplicate(duplicate, "macro", "name", fields["name"])
    return values


async def create_macro(session: DbSession, actor: Actor, fields: Fields) -> MacroRecord:
    require_admin(actor)
    required(fields, "name")
    now = utcnow()
    values = {
        "body": "",
        "changes": "{}",
        "active": True,
        **await _columns(session, fields, None),
        "created_at": now,
        "updated_at": now,
    }
    result = await session.execute(insert(Macro).values(**values).returning(Macro.id))
    return await get_macro(session, actor, int(result.scalar_one()))


async def update_macro(
    session: DbSession, actor: Actor, macro_id: int, fields: Fields
) -> MacroRecord:
    require_admin(actor)
    await get_macro(session, actor, macro_id)
    values = await _columns(session, fields, macro_id)
    if values:
        await session.execute(
            update(Macro).where(Macro.id == macro_id).values(**values, updated_at=utcnow())
        )
    return await get_macro(session, actor, macro_id)


async def delete_macro(session: DbSession, actor: Actor, macro_id: int) -> None:
    """Delete a macro (no ticket references one: applying it leaves ordinary events)."""
    require_admin(actor)
    await get_macro(session, actor, macro_id)
    await session.execute(delete(Macro).where(Macro.id == macro_id))
