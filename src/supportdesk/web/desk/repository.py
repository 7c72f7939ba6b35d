"""The desk pages' own reads: the queue's counts, and the choices its forms offer.

Counts are of tickets that are not closed (the views are work to do); each kind is one
statement, whatever the number of tickets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    union_all,
)

from supportdesk.accounts.models import Client, Staff
from supportdesk.core.db import DbSession
from supportdesk.core.models import UTCDateTime
from supportdesk.departments.models import Department, Status
from supportdesk.tickets.models import Tag, Ticket, TicketTag


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str
    count: int = 0


def _count_when(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True, slots=True)
class QueueCounts:
    views: dict[str, int]
    departments: list[Option]


_VIEW_COUNTS = ("open", "mine", "unassigned", "awaiting", "overdue", "escalated", "unread")


def _queue_counts_statement() -> Select[*tuple[Any, ...]]:
    # Status ids, not a join per ticket: the few statuses are looked up once.
    open_statuses = select(Status.id).where(Status.v2_status != "closed").scalar_subquery()
    awaiting = select(Status.id).where(Status.v2_status.in_(("open", "customer_reply")))
    staff_id = bindparam("staff_id", type_=Integer())
    now = bindparam("now", type_=UTCDateTime())
    per_department = (
        select(
            Ticket.dept_id.label("dept_id"),
            func.count().label("open"),
            _count_when(Ticket.owner_id == staff_id).label("mine"),
            _count_when(Ticket.owner_id.is_(None)).label("unassigned"),
            _count_when(Ticket.status_id.in_(awaiting.scalar_subquery())).label("awaiting"),
            _count_when(Ticket.resolve_date < now).label("overdue"),
            _count_when(Ticket.escalated > 0).label("escalated"),
            _count_when(Ticket.admin_read.is_(False)).label("unread"),
        )
        .where(Ticket.status_id.in_(open_statuses))
        .group_by(Ticket.dept_id)
        .subquery()
    )
    return (
        select(
            Department.slug,
            Department.name,
            *(func.coalesce(per_department.c[name], 0) for name in _VIEW_COUNTS),
        )
        .outerjoin(per_department, per_department.c.dept_id == Department.id)
        .order_by(Department.name, Department.id)
    )


# Built once: the queue page runs it on every view.
_QUEUE_COUNTS = _queue_counts_statement()


async def queue_counts(session: DbSession, staff_id: int, now: datetime) -> QueueCounts:
    """How many open tickets each fixed view and each department holds: one statement, which
    reads the counts' index (`ix_tickets_queue_counts`) rather than the tickets."""
    rows = await session.execute(_QUEUE_COUNTS, {"staff_id": staff_id, "now": now})
    views = dict.fromkeys(_VIEW_COUNTS, 0)
    departments = []
    for slug, name, *counts in rows:
        departments.append(Option(slug, name, int(counts[0])))
        for view, count in zip(_VIEW_COUNTS, counts, strict=True):
            views[view] += int(count)
    return QueueCounts(views, departments)


async def tag_counts(session: DbSession, limit: int = 30) -> list[Option]:
    """The tags on most open tickets, with their counts."""
    count = func.count(TicketTag.ticket_id)
    rows = await session.execute(
        select(Tag.name, count)
        .join(TicketTag, TicketTag.tag_id == Tag.id)
        .join(Ticket, Ticket.id == TicketTag.ticket_id)
        .join(Status, Status.id == Ticket.status_id)
        .where(Status.v2_status != "closed")
        .group_by(Tag.name)
        .order_by(count.desc(), Tag.name)
        .limit(limit)
    )
    return [Option(name, name, int(n)) for name, n in rows]


@dataclass(frozen=True, slots=True)
class Choices:
    """What the ticket page's forms offer: statuses, departments, active staff."""

    statuses: list[Option]
    departments: list[Option]
    staff: list[Option]


def _choices_statement() -> CompoundSelect[*tuple[Any, ...]]:
    # Statuses in their own order (built-ins first, as made); departments and staff by name.
    statuses = select(
        literal("status").label("kind"),
        Status.name.label("value"),
        Status.name.label("label"),
        case((Status.builtin, 0), else_=1).label("tier"),
        literal("").label("by_name"),
        Status.id.label("position"),
    )
    departments = select(
        literal("department"),
        Department.slug,
        Department.name,
        literal(0),
        Department.name,
        Department.id,
    )
    full_name = Staff.firstname + literal(" ") + Staff.lastname
    staff = select(
        literal("staff"), cast(Staff.id, String), full_name, literal(0), full_name, Staff.id
    ).where(Staff.status == "Active")
    return union_all(statuses, departments, staff).order_by(
        *(literal_column(name) for name in ("kind", "tier", "by_name", "position"))
    )


# One statement (one round trip) for all three, built once.
_CHOICES = _choices_statement()


async def choices(session: DbSession) -> Choices:
    found: dict[str, list[Option]] = {"status": [], "department": [], "staff": []}
    for row in (await session.execute(_CHOICES)).all():
        found[str(row[0])].append(Option(str(row[1]), str(row[2]).strip()))
    return Choices(found["status"], found["department"], found["staff"])


async def active_staff(session: DbSession) -> list[Option]:
    rows = await session.execute(
        select(Staff.id, Staff.firstname, Staff.lastname)
        .where(Staff.status == "Active")
        .order_by(Staff.firstname, Staff.lastname, Staff.id)
    )
    return [Option(str(staff_id), f"{first} {last}".strip()) for staff_id, first, last in rows]


@dataclass(frozen=True, slots=True)
class ClientCard:
    id: int
    name: str
    company: str
    email: str
    status: str


async def client_card(session: DbSession, client_id: int) -> ClientCard | None:
    row = (
        await session.execute(
            select(
                Client.id,
                Client.firstname,
                Client.lastname,
                Client.company,
                Client.email,
                Client.status,
            ).where(Client.id == client_id)
        )
    ).first()
    if row is None:
        return None
    return ClientCard(
        int(row.id), f"{row.firstname} {row.lastname}".strip(), row.company, row.email, row.status
    )
