"""Staff members: added, edited, deactivated (never deleted: tickets and events name them)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Executable, delete, insert, select, update

from supportdesk.accounts.models import STAFF_STATUSES, DepartmentStaff, Staff
from supportdesk.admin.common import (
    Fields,
    Page,
    check_text,
    known,
    paged,
    refuse_duplicate,
    require_admin,
    require_ids,
    required,
    taken,
)
from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Conflict, InvalidField, NotFound
from supportdesk.departments.models import Department
from supportdesk.tickets import versions

FIELDS = frozenset(
    {"username", "firstname", "lastname", "email", "status", "department_ids", "signature", "admin"}
)


@dataclass(frozen=True, slots=True)
class StaffRecord:
    id: int
    username: str
    firstname: str
    lastname: str
    email: str
    status: str
    department_ids: list[int]
    signature: str
    admin: bool


_COLUMNS = (
    Staff.id,
    Staff.username,
    Staff.firstname,
    Staff.lastname,
    Staff.email,
    Staff.status,
    Staff.signature,
    Staff.admin,
)


async def _departments_of(session: DbSession, staff_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {staff_id: [] for staff_id in staff_ids}
    if not staff_ids:
        return found
    rows = await session.execute(
        select(DepartmentStaff.staff_id, DepartmentStaff.department_id)
        .where(DepartmentStaff.staff_id.in_(staff_ids))
        .order_by(DepartmentStaff.department_id)
    )
    for staff_id, department_id in rows:
        found[int(staff_id)].append(int(department_id))
    return found


async def _records(session: DbSession, statement: Executable) -> list[StaffRecord]:
    rows = list((await session.execute(statement)).mappings())
    departments = await _departments_of(session, [int(row["id"]) for row in rows])
    return [
        StaffRecord(
            id=int(row["id"]),
            username=row["username"],
            firstname=row["firstname"],
            lastname=row["lastname"],
            email=row["email"],
            status=row["status"],
            department_ids=departments[int(row["id"])],
            signature=row["signature"] or "",
            admin=bool(row["admin"]),
        )
        for row in rows
    ]


async def list_staff(
    session: DbSession,
    actor: Actor,
    *,
    after_id: int | None = None,
    limit: int = 50,
    status: str | None = None,
) -> Page[StaffRecord]:
    """Staff by id, a page at a time; `status` keeps only Active or Inactive ones."""
    require_admin(actor)
    statement = select(*_COLUMNS).order_by(Staff.id).limit(limit + 1)
    if after_id is not None:
        statement = statement.where(Staff.id > after_id)
    if status is not None:
        statement = statement.where(Staff.status == status)
    return paged(await _records(session, statement), limit)


async def get_staff(session: DbSession, actor: Actor, staff_id: int) -> StaffRecord:
    require_admin(actor)
    found = await _records(session, select(*_COLUMNS).where(Staff.id == staff_id))
    if not found:
        raise NotFound("No staff member has that id.")
    return found[0]


async def _check(session: DbSession, fields: Fields, staff_id: int | None) -> None:
    known(fields, FIELDS)
    status = fields.get("status")
    if status is not None and status not in STAFF_STATUSES:
        raise InvalidField("status", f"must be one of {', '.join(STAFF_STATUSES)}")
    for field in ("username", "email"):
        value = fields.get(field)
        if value is not None:
            column = Staff.username if field == "username" else Staff.email
            duplicate = await taken(
                session,
                column,
                value,
                other_than=staff_id,
                id_column=Staff.id,
                case_insensitive=True,
            )
            refuse_duplicate(duplicate, "staff member", field, value)


async def _set_departments(session: DbSession, staff_id: int, wanted: list[int]) -> None:
    ids = await require_ids(session, Department.id, wanted, "department_ids", "department")
    await session.execute(delete(DepartmentStaff).where(DepartmentStaff.staff_id == staff_id))
    for department_id in ids:
        await session.execute(
            insert(DepartmentStaff).values(staff_id=staff_id, department_id=department_id)
        )


async def create_staff(session: DbSession, actor: Actor, fields: Fields) -> StaffRecord:
    """Add a staff member (Active unless told); usernames and addresses are unique."""
    require_admin(actor)
    required(fields, "username", "firstname", "lastname", "email")
    await _check(session, fields, None)
    values = {k: v for k, v in fields.items() if k != "department_ids" and v is not None}
    check_text(Staff.__table__, values)  # type: ignore[arg-type]
    values.setdefault("status", "Active")
    values.setdefault("signature", "")
    values.setdefault("admin", False)
    result = await session.execute(insert(Staff).values(**values).returning(Staff.id))
    staff_id = int(result.scalar_one())
    await _set_departments(session, staff_id, list(fields.get("department_ids") or []))
    return await get_staff(session, actor, staff_id)


async def update_staff(
    session: DbSession, actor: Actor, staff_id: int, fields: Fields
) -> StaffRecord:
    """Change a staff member; `status: Inactive` deactivates (their keys stop working)."""
    require_admin(actor)
    await get_staff(session, actor, staff_id)
    await _check(session, fields, staff_id)
    if fields.get("status") == "Inactive" and actor.staff_id == staff_id:
        # The key doing this would stop working mid-way: another admin has to.
        raise Conflict("You cannot deactivate yourself: another admin has to.")
    values = {k: v for k, v in fields.items() if k != "department_ids"}
    check_text(Staff.__table__, values)  # type: ignore[arg-type]
    for name in sorted(FIELDS):
        if name in fields and fields[name] is None:
            raise InvalidField(name, "may not be null", code="required")
    if values:
        await session.execute(update(Staff).where(Staff.id == staff_id).values(**values))
    if fields.get("department_ids") is not None:
        await _set_departments(session, staff_id, list(fields["department_ids"]))
    # Tickets show their owner's name, username, address and status.
    await versions.shown_data_changed(session)
    return await get_staff(session, actor, staff_id)
