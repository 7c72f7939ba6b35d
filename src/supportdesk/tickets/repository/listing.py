"""Ticket lists: summaries scoped to the actor, filtered, searched and keyset-paginated.

Each sort is a tuple of keys ending in the ticket id, so that every ticket has one place in
the order; a page starts after the previous page's last values of those keys (its `position`),
which inserts never shift. A search ranks first the tickets whose subject holds every word, so
its position starts with that rank. One statement per page, whatever the filters or the size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute

from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.core.models import UTCDateTime
from supportdesk.departments.models import Department, Status
from supportdesk.tickets import search
from supportdesk.tickets.models import PRIORITIES, Reply, Tag, Ticket, TicketTag
from supportdesk.tickets.records import Position, TicketSummaryRecord
from supportdesk.tickets.repository.detail import linked_services, linked_services_column
from supportdesk.tickets.repository.scope import reply_shown_to_clients, visible_to

Sort = Literal["-updatedAt", "-priority", "resolveBy"]
SORTS: tuple[Sort, ...] = ("-updatedAt", "-priority", "resolveBy")
# What each value of a position is: a small level (a search's rank, a priority), a time, the id.
ValueKind = Literal["level", "time", "id"]
# Tickets without a due date come last in `resolveBy` order, as if due at the end of time.
SortKey = ColumnElement[Any] | InstrumentedAttribute[Any]
NEVER = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ListFilter:
    """Which of the actor's tickets a list shows, and in what order.

    Besides status and department, the filters are staff's (desk.md); `owner_id` 0 means
    unassigned. `terms` are the words of a search (`search.search_terms`)."""

    v2_status: str | None = None
    dept_slug: str | None = None
    owner_id: int | None = None
    client_id: int | None = None
    priority: str | None = None
    tag: str | None = None
    escalated: bool | None = None
    overdue: bool | None = None
    unread: bool | None = None
    terms: tuple[str, ...] = ()
    sort: Sort = "-updatedAt"
    # The desk's queue views: any of these v2 statuses; every status but closed.
    v2_statuses: tuple[str, ...] = ()
    not_closed: bool = False

    def staff_filters(self) -> tuple[str, ...]:
        """The staff-only filters set here, by name."""
        named = {
            "owner_id": self.owner_id,
            "client_id": self.client_id,
            "priority": self.priority,
            "tag": self.tag,
            "escalated": self.escalated,
            "overdue": self.overdue,
            "unread": self.unread,
            "v2_statuses": self.v2_statuses or None,
            "not_closed": self.not_closed or None,
        }
        found = tuple(name for name, value in named.items() if value is not None)
        return (*found, "sort") if self.sort != "-updatedAt" else found


_KINDS: dict[Sort, tuple[ValueKind, ...]] = {
    "-updatedAt": ("time", "id"),
    "-priority": ("level", "time", "id"),
    "resolveBy": ("time", "id"),
}


def position_kinds(sort: Sort, searching: bool) -> tuple[ValueKind, ...]:
    """The kinds of the values a position of this order holds, in order."""
    return ("level", *_KINDS[sort]) if searching else _KINDS[sort]


_PRIORITY_LEVEL = case(
    {name: level for level, name in enumerate(PRIORITIES)}, value=Ticket.priority
)


def _keys(session: DbSession, where: ListFilter) -> list[tuple[SortKey, bool]]:
    """The sort's (expression, descending) keys, the id last."""
    keys: list[tuple[SortKey, bool]] = []
    if where.terms:
        in_subject = search.in_subject(session.dialect_name, where.terms)
        keys.append((case((in_subject, 0), else_=1), False))
    if where.sort == "-priority":
        keys += [(_PRIORITY_LEVEL, True), (Ticket.updated_at, True), (Ticket.id, True)]
    elif where.sort == "resolveBy":
        never = bindparam("never", NEVER, type_=UTCDateTime())
        keys += [(func.coalesce(Ticket.resolve_date, never), False), (Ticket.id, False)]
    else:
        keys += [(Ticket.updated_at, True), (Ticket.id, True)]
    return keys


def _after(keys: list[tuple[SortKey, bool]], after: Position) -> ColumnElement[bool]:
    """Rows strictly past `after` in the keys' order."""
    branches = []
    for index, (key, descending) in enumerate(keys):
        equal = [k == value for (k, _), value in zip(keys[:index], after, strict=False)]
        beyond = key < after[index] if descending else key > after[index]
        branches.append(and_(*equal, beyond))
    return or_(*branches)


def _filters(
    dialect: str, actor: Actor, where: ListFilter, now: datetime
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.v2_status is not None:
        conditions.append(Status.v2_status == where.v2_status)
    if where.v2_statuses:
        conditions.append(Status.v2_status.in_(where.v2_statuses))
    if where.not_closed:
        conditions.append(Status.v2_status != "closed")
    if where.dept_slug is not None:
        conditions.append(Department.slug == where.dept_slug)
    if where.owner_id is not None:
        conditions.append(
            Ticket.owner_id.is_(None) if where.owner_id == 0 else Ticket.owner_id == where.owner_id
        )
    if where.client_id is not None:
        conditions.append(Ticket.client_id == where.client_id)
    if where.priority is not None:
        conditions.append(Ticket.priority == where.priority)
    if where.tag is not None:
        tagged = exists().where(
            TicketTag.ticket_id == Ticket.id, TicketTag.tag_id == Tag.id, Tag.name == where.tag
        )
        conditions.append(tagged)
    if where.escalated is not None:
        conditions.append(Ticket.escalated > 0 if where.escalated else Ticket.escalated == 0)
    if where.overdue is not None:
        closed = Status.v2_status == "closed"
        if where.overdue:
            conditions.append(and_(Ticket.resolve_date < now, ~closed))
        else:
            conditions.append(
                or_(Ticket.resolve_date.is_(None), Ticket.resolve_date >= now, closed)
            )
    if where.unread is not None:
        conditions.append(Ticket.admin_read == (not where.unread))
    if where.terms:
        conditions.append(search.matching(dialect, where.terms, actor.is_staff))
    return conditions


async def list_visible_tickets(
    session: DbSession,
    actor: Actor,
    where: ListFilter,
    after: Position | None,
    limit: int,
    now: datetime,
) -> list[tuple[TicketSummaryRecord, Position]]:
    """Up to `limit` summaries in the filter's order, each with its position.

    One statement in two steps: the page's ids and sort values are chosen first from the
    tickets' columns alone (what the queue indexes of migration 0005 hold), and only the chosen
    rows are then read in full, so that the message count and the linked services are worked
    out for the page and never for every ticket the filters match."""
    keys = _keys(session, where)
    # The order names the chosen sort values, so that a search's rank (an FTS query) is worked
    # out once per row, not again for the ORDER BY.
    labels = [key.label(f"sort_{index}") for index, (key, _) in enumerate(keys)]
    chosen = select(Ticket.id.label("ticket_id"), *labels)
    if (
        where.v2_status is not None
        or where.overdue is not None
        or where.v2_statuses
        or where.not_closed
    ):
        chosen = chosen.join(Status, Status.id == Ticket.status_id)
    if where.dept_slug is not None:
        chosen = chosen.join(Department, Department.id == Ticket.dept_id)
    chosen = chosen.where(visible_to(actor), *_filters(session.dialect_name, actor, where, now))
    if after is not None:
        chosen = chosen.where(_after(keys, after))
    page = (
        chosen.order_by(
            *(
                label.desc() if descending else label.asc()
                for label, (_, descending) in zip(labels, keys, strict=True)
            )
        )
        .limit(limit)
        .subquery("page")
    )
    sort_columns = [page.c[f"sort_{index}"] for index in range(len(keys))]
    messages = (
        select(func.count(Reply.id))
        .where(Reply.ticket_id == Ticket.id, reply_shown_to_clients())
        .scalar_subquery()
    )
    statement = (
        select(
            Ticket.id,
            Ticket.public_id,
            Ticket.ticket_number,
            Ticket.subject,
            Status.v2_status,
            Ticket.priority,
            Department.slug.label("dept_slug"),
            Department.name.label("dept_name"),
            Ticket.created_at,
            Ticket.updated_at,
            Ticket.last_reply_at,
            Ticket.cc,
            Ticket.name,
            messages.label("message_count"),
            linked_services_column().label("linked_services"),
            *sort_columns,
        )
        .select_from(page)
        .join(Ticket, Ticket.id == page.c.ticket_id)
        .join(Status, Status.id == Ticket.status_id)
        .join(Department, Department.id == Ticket.dept_id)
        .order_by(
            *(
                column.desc() if descending else column.asc()
                for column, (_, descending) in zip(sort_columns, keys, strict=True)
            )
        )
    )
    rows = (await session.execute(statement)).mappings().all()
    found = []
    for row in rows:
        fields = dict(row)
        position = tuple(fields.pop(f"sort_{index}") for index in range(len(keys)))
        fields["linked_services"] = linked_services(fields["linked_services"])
        found.append((TicketSummaryRecord(**fields), position))
    return found
