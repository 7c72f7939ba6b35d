"""All SQL on departments and statuses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from supportdesk.core.db import DbSession
from supportdesk.departments.models import Department, Status


@dataclass(frozen=True, slots=True)
class DepartmentRecord:
    id: int
    slug: str
    name: str
    description: str
    email: str
    visible: bool
    brand_id: int | None
    client_can_reopen: bool
    resolve_within_hours: int


_COLUMNS = (
    Department.id,
    Department.slug,
    Department.name,
    Department.description,
    Department.email,
    Department.visible,
    Department.brand_id,
    Department.client_can_reopen,
    Department.resolve_within_hours,
)


async def list_departments(session: DbSession, *, include_hidden: bool) -> list[DepartmentRecord]:
    statement = select(*_COLUMNS).order_by(Department.id)
    if not include_hidden:
        statement = statement.where(Department.visible.is_(True))
    return [DepartmentRecord(**row) for row in (await session.execute(statement)).mappings()]


async def find_department(
    session: DbSession, *, dept_id: int | None = None, slug: str | None = None
) -> DepartmentRecord | None:
    condition = Department.id == dept_id if dept_id is not None else Department.slug == slug
    row = (await session.execute(select(*_COLUMNS).where(condition))).mappings().first()
    return DepartmentRecord(**row) if row is not None else None


async def status_id(session: DbSession, name: str) -> int:
    return int((await session.execute(select(Status.id).where(Status.name == name))).scalar_one())
