"""Departments: where tickets go, who works them, when they close, their working hours."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update

from supportdesk.accounts.models import DepartmentStaff, Staff
from supportdesk.admin import hours
from supportdesk.admin.common import (
    MAX_HOURS,
    Fields,
    check_text,
    known,
    refuse_duplicate,
    require_admin,
    require_ids,
    required,
    taken,
)
from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Conflict, InvalidField, NotFound
from supportdesk.departments.models import Department, SlaPolicy
from supportdesk.sla import pending
from supportdesk.tickets import versions
from supportdesk.tickets.models import Ticket

FIELDS = frozenset(
    {
        "slug",
        "name",
        "description",
        "email",
        "visible",
        "staff_ids",
        "auto_close_hours",
        "client_may_reopen",
        "business_hours",
    }
)
_NOT_NULL = (
    "slug",
    "name",
    "description",
    "email",
    "visible",
    "auto_close_hours",
    "client_may_reopen",
    "staff_ids",
)


@dataclass(frozen=True, slots=True)
class DepartmentRecord:
    id: int
    slug: str
    name: str
    description: str
    email: str
    visible: bool
    staff_ids: list[int]
    auto_close_hours: float
    client_may_reopen: bool
    business_hours: dict[str, Any] | None


_COLUMNS = (
    Department.id,
    Department.slug,
    Department.name,
    Department.description,
    Department.email,
    Department.visible,
    Department.auto_close_hours,
    Department.client_can_reopen,
    Department.business_hours,
)


async def _records(session: DbSession, department_id: int | None = None) -> list[DepartmentRecord]:
    statement = select(*_COLUMNS).order_by(Department.id)
    members = select(DepartmentStaff.department_id, DepartmentStaff.staff_id).order_by(
        DepartmentStaff.staff_id
    )
    if department_id is not None:
        statement = statement.where(Department.id == department_id)
        members = members.where(DepartmentStaff.department_id == department_id)
    staff: dict[int, list[int]] = {}
    for dept, member in await session.execute(members):
        staff.setdefault(int(dept), []).append(int(member))
    return [
        DepartmentRecord(
            id=int(row.id),
            slug=row.slug,
            name=row.name,
            description=row.description or "",
            email=row.email or "",
            visible=bool(row.visible),
            staff_ids=staff.get(int(row.id), []),
            auto_close_hours=float(row.auto_close_hours or 0),
            client_may_reopen=bool(row.client_can_reopen),
            business_hours=hours.from_text(row.business_hours),
        )
        for row in await session.execute(statement)
    ]


async def list_departments(session: DbSession, actor: Actor) -> list[DepartmentRecord]:
    """Every department, hidden ones too (an organisation has a few dozen at most)."""
    require_admin(actor)
    return await _records(session)


async def get_department(session: DbSession, actor: Actor, department_id: int) -> DepartmentRecord:
    require_admin(actor)
    found = await _records(session, department_id)
    if not found:
        raise NotFound("No department has that id.")
    return found[0]


async def _columns(session: DbSession, fields: Fields, department_id: int | None) -> dict[str, Any]:
    known(fields, FIELDS)
    for name in _NOT_NULL:
        if name in fields and fields[name] is None:
            raise InvalidField(name, "may not be null", code="required")
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "staff_ids":
            continue
        if name == "auto_close_hours":
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise InvalidField(name, "must be a number of hours")
            if not math.isfinite(value) or not 0 <= value <= MAX_HOURS:
                raise InvalidField(name, f"must be from 0 (off) to {MAX_HOURS:g} hours")
            values[name] = float(value)
        elif name == "business_hours":
            values[name] = hours.to_text(value)
        elif name == "client_may_reopen":
            values["client_can_reopen"] = bool(value)
        else:
            values[name] = value
    check_text(Department.__table__, values)  # type: ignore[arg-type]
    slug = fields.get("slug")
    if slug is not None:
        duplicate = await taken(
            session, Department.slug, slug, other_than=department_id, id_column=Department.id
        )
        refuse_duplicate(duplicate, "department", "slug", slug)
    return values


async def _set_staff(session: DbSession, department_id: int, wanted: list[int]) -> None:
    ids = await require_ids(session, Staff.id, wanted, "staff_ids", "staff member")
    await session.execute(
        delete(DepartmentStaff).where(DepartmentStaff.department_id == department_id)
    )
    for staff_id in ids:
        await session.execute(
            insert(DepartmentStaff).values(department_id=department_id, staff_id=staff_id)
        )


async def create_department(session: DbSession, actor: Actor, fields: Fields) -> DepartmentRecord:
    """Add a department; slugs are unique (409)."""
    require_admin(actor)
    required(fields, "slug", "name")
    values = {
        "description": "",
        "email": "",
        "visible": True,
        "auto_close_hours": 0.0,
        "client_can_reopen": True,
        "business_hours": "",
        **await _columns(session, fields, None),
    }
    result = await session.execute(insert(Department).values(**values).returning(Department.id))
    department_id = int(result.scalar_one())
    await _set_staff(session, department_id, list(fields.get("staff_ids") or []))
    return await get_department(session, actor, department_id)


async def update_department(
    session: DbSession, actor: Actor, department_id: int, fields: Fields
) -> DepartmentRecord:
    require_admin(actor)
    await get_department(session, actor, department_id)
    values = await _columns(session, fields, department_id)
    if values:
        await session.execute(
            update(Department).where(Department.id == department_id).values(**values)
        )
    if "business_hours" in values:
        await pending.mark_department(session, department_id)
    if fields.get("staff_ids") is not None:
        await _set_staff(session, department_id, list(fields["staff_ids"]))
    # Tickets show their department's name and slug.
    await versions.shown_data_changed(session)
    return await get_department(session, actor, department_id)


async def delete_department(session: DbSession, actor: Actor, department_id: int) -> None:
    """Delete a department no ticket was ever in (409 otherwise); its policies go with it."""
    require_admin(actor)
    await get_department(session, actor, department_id)
    used = (
        await session.execute(
            select(func.count())
            .select_from(Ticket)
            .where(or_(Ticket.dept_id == department_id, Ticket.org_dept_id == department_id))
        )
    ).scalar_one()
    if used:
        raise Conflict(f"{used} tickets are in this department (or were opened in it).")
    policies = select(SlaPolicy.id).where(SlaPolicy.department_id == department_id)
    breached = (
        await session.execute(
            select(func.count()).select_from(Ticket).where(Ticket.sla_id.in_(policies))
        )
    ).scalar_one()
    if breached:
        raise Conflict("Tickets name an SLA policy of this department.")
    await session.execute(delete(SlaPolicy).where(SlaPolicy.department_id == department_id))
    await session.execute(
        delete(DepartmentStaff).where(DepartmentStaff.department_id == department_id)
    )
    await session.execute(delete(Department).where(Department.id == department_id))
