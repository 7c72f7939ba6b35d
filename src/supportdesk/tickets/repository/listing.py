"""Ticket lists: summaries scoped to the actor, keyset-paginated on (updated_at, id)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.departments.models import Department, Status
from supportdesk.tickets.models import Reply, Ticket
from supportdesk.tickets.records import Position, TicketSummaryRecord
from supportdesk.tickets.repository.detail import linked_services, linked_services_column
from supportdesk.tickets.repository.scope import reply_shown_to_clients, visible_to


@dataclass(frozen=True, slots=True)
class ListFilter:
    """Which of the actor's tickets a list shows."""

    v2_status: str | None = None
    dept_slug: str | None = None


async def list_visible_tickets(
    session: DbSession, actor: Actor, where: ListFilter, after: Position | None, limit: int
) -> list[TicketSummaryRecord]:
    """Up to `limit` summaries, newest activity first: inserts never shift pages."""
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
        )
        .join(Status, Status.id == Ticket.status_id)
        .join(Department, Department.id == Ticket.dept_id)
        .where(visible_to(actor))
        .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
        .limit(limit)
    )
    if where.v2_status is not None:
        statement = statement.where(Status.v2_status == where.v2_status)
    if where.dept_slug is not None:
        statement = statement.where(Department.slug == where.dept_slug)
    if after is not None:
        updated_at, ticket_id = after
        statement = statement.where(
            or_(
                Ticket.updated_at < updated_at,
                and_(Ticket.updated_at == updated_at, Ticket.id < ticket_id),
            )
        )
    rows = (await session.execute(statement)).mappings().all()
    return [
        TicketSummaryRecord(**{**row, "linked_services": linked_services(row["linked_services"])})
        for row in rows
    ]
