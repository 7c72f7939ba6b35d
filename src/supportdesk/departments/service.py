"""Which departments a caller may see and open tickets in."""

from __future__ import annotations

from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.departments import repository
from supportdesk.departments.repository import DepartmentRecord


async def visible_departments(session: DbSession, actor: Actor) -> list[DepartmentRecord]:
    """Staff see every department; a client sees the visible ones."""
    return await repository.list_departments(session, include_hidden=actor.is_staff)


async def department_for_new_ticket(
    session: DbSession, actor: Actor, *, dept_id: int | None = None, slug: str | None = None
) -> DepartmentRecord | None:
    """The department, if it exists and the caller may open a ticket in it."""
    department = await repository.find_department(session, dept_id=dept_id, slug=slug)
    if department is None or (not department.visible and not actor.is_staff):
        return None
    return department
