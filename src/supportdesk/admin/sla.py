"""SLA policies: stored here, evaluated by the automation jobs (automation.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from supportdesk.accounts.models import Staff
from supportdesk.admin.common import (
    MAX_HOURS,
    Fields,
    Page,
    known,
    paged,
    require_admin,
    required,
)
from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Conflict, InvalidField, NotFound
from supportdesk.departments.models import Department, SlaPolicy
from supportdesk.sla import pending
from supportdesk.sla.models import SlaBreach
from supportdesk.tickets.models import PRIORITIES, Ticket

FIELDS = frozenset(
    {
        "department_id",
        "name",
        "level",
        "trigger",
        "hours",
        "business_hours",
        "raise_priority",
        "assign_to_id",
        "active",
    }
)
TRIGGERS = ("first_response", "next_response", "resolution")
MAX_LEVEL = 100
_NULLABLE = ("raise_priority", "assign_to_id")


@dataclass(frozen=True, slots=True)
class PolicyRecord:
    id: int
    department_id: int
    name: str
    level: int
    trigger: str
    hours: float
    business_hours: bool
    raise_priority: str | None
    assign_to_id: int | None
    active: bool


_COLUMNS = (
    SlaPolicy.id,
    SlaPolicy.department_id,
    SlaPolicy.name,
    SlaPolicy.level,
    SlaPolicy.trigger,
    SlaPolicy.hours,
    SlaPolicy.business_hours,
    SlaPolicy.raise_priority,
    SlaPolicy.assign_to_id,
    SlaPolicy.active,
)


def _record(row: Any) -> PolicyRecord:
    return PolicyRecord(
        id=int(row.id),
        department_id=int(row.department_id),
        name=row.name or "",
        level=int(row.level),
        trigger=row.trigger,
        hours=float(row.hours),
        business_hours=bool(row.business_hours),
        raise_priority=row.raise_priority,
        assign_to_id=row.assign_to_id,
        active=bool(row.active),
    )


async def list_policies(
    session: DbSession,
    actor: Actor,
    *,
    department_id: int | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> Page[PolicyRecord]:
    require_admin(actor)
    statement = select(*_COLUMNS).order_by(SlaPolicy.id).limit(limit + 1)
    if department_id is not None:
        statement = statement.where(SlaPolicy.department_id == department_id)
    if after_id is not None:
        statement = statement.where(SlaPolicy.id > after_id)
    return paged([_record(row) for row in await session.execute(statement)], limit)


async def get_policy(session: DbSession, actor: Actor, policy_id: int) -> PolicyRecord:
    require_admin(actor)
    row = (await session.execute(select(*_COLUMNS).where(SlaPolicy.id == policy_id))).first()
    if row is None:
        raise NotFound("No SLA policy has that id.")
    return _record(row)


async def _exists(session: DbSession, column: Any, value: int) -> bool:
    return (await session.execute(select(column).where(column == value))).first() is not None


async def _columns(session: DbSession, fields: Fields) -> dict[str, Any]:
    known(fields, FIELDS)
    for name, value in fields.items():
        if value is None and name not in _NULLABLE:
            raise InvalidField(name, "may not be null", code="required")
    if "trigger" in fields and fields["trigger"] not in TRIGGERS:
        raise InvalidField("trigger", f"must be one of {', '.join(TRIGGERS)}")
    if "level" in fields and not 1 <= fields["level"] <= MAX_LEVEL:
        raise InvalidField("level", f"must be from 1 to {MAX_LEVEL}", code="out_of_range")
    if "hours" in fields:
        value = fields["hours"]
        if not math.isfinite(value) or not 0 < value <= MAX_HOURS:
            raise InvalidField("hours", f"must be more than 0, at most {MAX_HOURS:g}")
    priority = fields.get("raise_priority")
    if priority is not None and priority not in PRIORITIES:
        raise InvalidField("raise_priority", f"must be one of {', '.join(PRIORITIES)} or null")
    department_id = fields.get("department_id")
    if department_id is not None and not await _exists(session, Department.id, department_id):
        raise InvalidField("department_id", "no department has that id", code="unknown_reference")
    assignee = fields.get("assign_to_id")
    if assignee is not None and not await _exists(session, Staff.id, assignee):
        raise InvalidField("assign_to_id", "no staff member has that id", code="unknown_reference")
    values = dict(fields)
    if "hours" in values:
        values["hours"] = float(values["hours"])
    return values


async def create_policy(session: DbSession, actor: Actor, fields: Fields) -> PolicyRecord:
    """Add a policy to a department (active unless told)."""
    require_admin(actor)
    required(fields, "department_id", "level", "hours")
    values = {
        "name": "",
        "trigger": "first_response",
        "business_hours": False,
        "active": True,
        **await _columns(session, fields),
    }
    result = await session.execute(insert(SlaPolicy).values(**values).returning(SlaPolicy.id))
    # The department's open tickets get the new policy's clock (the breach job).
    await pending.mark_department(session, values["department_id"])
    return await get_policy(session, actor, int(result.scalar_one()))


async def update_policy(
    session: DbSession, actor: Actor, policy_id: int, fields: Fields
) -> PolicyRecord:
    require_admin(actor)
    before = await get_policy(session, actor, policy_id)
    values = await _columns(session, fields)
    if values:
        await session.execute(update(SlaPolicy).where(SlaPolicy.id == policy_id).values(**values))
        # The clocks under it are evaluated again under the new rule (the breach job).
        moved_to = values.get("department_id", before.department_id)
        for department_id in {before.department_id, int(moved_to)}:
            await pending.mark_department(session, department_id)
    return await get_policy(session, actor, policy_id)


async def delete_policy(session: DbSession, actor: Actor, policy_id: int) -> None:
    """Delete a policy no ticket was breached under (409 otherwise: deactivate it instead)."""
    require_admin(actor)
    await get_policy(session, actor, policy_id)
    uses = ((Ticket.sla_id, "tickets were escalated"), (SlaBreach.policy_id, "breaches happened"))
    for column, what in uses:
        used = (await session.execute(select(func.count()).where(column == policy_id))).scalar_one()
        if used:
            raise Conflict(f"{used} {what} under this policy: deactivate it instead.")
    await pending.forget_policy(session, policy_id)
    await session.execute(delete(SlaPolicy).where(SlaPolicy.id == policy_id))


async def department_policies(session: DbSession, department_id: int) -> list[PolicyRecord]:
    """The department's active policies, lowest level first: what the SLA clocks evaluate."""
    statement = (
        select(*_COLUMNS)
        .where(SlaPolicy.department_id == department_id, SlaPolicy.active.is_(True))
        .order_by(SlaPolicy.level, SlaPolicy.id)
    )
    return [_record(row) for row in await session.execute(statement)]
