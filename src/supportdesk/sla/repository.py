"""All of the SLA's SQL: a ticket's facts, its pauses, its due clocks, its breaches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from supportdesk.admin import hours
from supportdesk.admin.sla import PolicyRecord
from supportdesk.core.db import DbSession
from supportdesk.departments.models import CLOSED, Department, Status
from supportdesk.sla.clock import Schedule
from supportdesk.sla.evaluate import Breach, Facts, Message, Pause
from supportdesk.sla.models import SlaBreach, SlaClock, SlaPause, SlaPending
from supportdesk.tickets.models import SENT, Reply, Ticket


@dataclass(frozen=True, slots=True)
class TicketSla:
    """What the SLA needs of a ticket row, its status and its department."""

    id: int
    dept_id: int
    opened_at: datetime
    opened_by_staff: bool
    updated_at: datetime
    status: str
    pauses_clock: bool
    escalated: int
    sla_id: int | None
    priority: str
    owner_id: int | None
    resolve_date: datetime | None
    resolve_within_hours: int
    schedule: Schedule | None


async def ticket(session: DbSession, ticket_id: int) -> TicketSla | None:
    row = (
        await session.execute(
            select(
                Ticket.id,
                Ticket.dept_id,
                Ticket.created_at,
                Ticket.type,
                Ticket.updated_at,
                Status.name,
                Status.pauses_sla,
                Ticket.escalated,
                Ticket.sla_id,
                Ticket.priority,
                Ticket.owner_id,
                Ticket.resolve_date,
                Department.resolve_within_hours,
                Department.business_hours,
            )
            .join(Status, Status.id == Ticket.status_id)
            .join(Department, Department.id == Ticket.dept_id)
            .where(Ticket.id == ticket_id)
        )
    ).first()
    if row is None:
        return None
    return TicketSla(
        id=row[0],
        dept_id=row[1],
        opened_at=row[2],
        opened_by_staff=row[3] == "Admin",
        updated_at=row[4],
        status=row[5],
        pauses_clock=bool(row[6]) or row[5] == CLOSED,
        escalated=int(row[7] or 0),
        sla_id=row[8],
        priority=row[9],
        owner_id=row[10],
        resolve_date=row[11],
        resolve_within_hours=int(row[12] or 0),
        schedule=Schedule.from_stored(hours.from_text(row[13])),
    )


async def pauses(session: DbSession, ticket_id: int) -> list[Pause]:
    statement = (
        select(SlaPause.started_at, SlaPause.ended_at, SlaPause.status_name)
        .where(SlaPause.ticket_id == ticket_id)
        .order_by(SlaPause.started_at, SlaPause.id)
    )
    return [Pause(row[0], row[1], row[2]) for row in await session.execute(statement)]


async def start_pause(session: DbSession, ticket_id: int, status: str, at: datetime) -> None:
    await session.execute(
        insert(SlaPause).values(ticket_id=ticket_id, status_name=status, started_at=at)
    )


async def end_pause(session: DbSession, ticket_id: int, at: datetime) -> None:
    await session.execute(
        update(SlaPause)
        .where(SlaPause.ticket_id == ticket_id, SlaPause.ended_at.is_(None))
        .values(ended_at=at)
    )


async def facts(session: DbSession, found: TicketSla, recorded: list[Pause]) -> Facts:
    """The ticket's public conversation and its `recorded` pauses. A ticket paused (or closed)
    before its pause was recorded is taken as paused since its last change."""
    statement = (
        select(Reply.id, Reply.type, Reply.created_at)
        .where(Reply.ticket_id == found.id, Reply.status == SENT, Reply.type != "System")
        .order_by(Reply.created_at, Reply.id)
    )
    messages = [Message(found.opened_at, "staff" if found.opened_by_staff else "client", 0)]
    for reply_id, kind, at in await session.execute(statement):
        messages.append(Message(at, "staff" if kind == "Admin" else "client", int(reply_id)))
    recorded = list(recorded)
    if found.pauses_clock and (not recorded or recorded[-1].ended_at is not None):
        recorded.append(Pause(found.updated_at, None, found.status))
    closed_at = recorded[-1].started_at if found.status == CLOSED else None
    return Facts(found.opened_at, tuple(messages), tuple(recorded), closed_at)


async def breaches(session: DbSession, ticket_id: int) -> dict[tuple[int, int], Breach]:
    statement = select(
        SlaBreach.policy_id, SlaBreach.occurrence, SlaBreach.breached_at, SlaBreach.due_at
    ).where(SlaBreach.ticket_id == ticket_id)
    return {
        (row[0], row[1]): Breach(row[0], row[1], row[2], row[3])
        for row in await session.execute(statement)
    }


async def record_breach(
    session: DbSession,
    *,
    ticket_id: int,
    policy: PolicyRecord,
    occurrence: int,
    due_at: datetime,
    now: datetime,
) -> bool:
    """Insert the breach under its effect key; False when it was recorded already."""
    values: dict[str, Any] = {
        "effect_key": f"sla:{ticket_id}:{policy.id}:{occurrence}",
        "ticket_id": ticket_id,
        "policy_id": policy.id,
        "occurrence": occurrence,
        "level": policy.level,
        "due_at": due_at,
        "breached_at": now,
    }
    dialect = postgresql if session.dialect_name == "postgresql" else sqlite
    statement = (
        dialect.insert(SlaBreach)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["effect_key"])
        .returning(SlaBreach.id)
    )
    return (await session.execute(statement)).first() is not None


async def replace_clocks(
    session: DbSession, ticket_id: int, due: list[tuple[int, int, datetime | None]]
) -> None:
    """The ticket's clocks are now `due` (policy id, occurrence, due time or None)."""
    await session.execute(delete(SlaClock).where(SlaClock.ticket_id == ticket_id))
    if due:
        rows = [
            {"ticket_id": ticket_id, "policy_id": p, "occurrence": o, "due_at": at}
            for p, o, at in due
        ]
        await session.execute(insert(SlaClock).values(rows))


async def due_clocks(session: DbSession, now: datetime, limit: int) -> list[tuple[int, int]]:
    """(ticket id, policy id) of the clocks due by `now`, soonest first."""
    statement = (
        select(SlaClock.ticket_id, SlaClock.policy_id)
        .where(SlaClock.due_at.is_not(None), SlaClock.due_at <= now)
        .order_by(SlaClock.due_at, SlaClock.ticket_id, SlaClock.policy_id)
        .limit(limit)
    )
    return [(int(row[0]), int(row[1])) for row in await session.execute(statement)]


async def update_ticket(session: DbSession, ticket_id: int, **values: Any) -> None:
    await session.execute(update(Ticket).where(Ticket.id == ticket_id).values(**values))


async def pending_tickets(session: DbSession, limit: int) -> list[int]:
    """Tickets marked for evaluation (`sla.pending`), oldest ids first."""
    statement = select(SlaPending.ticket_id).order_by(SlaPending.ticket_id).limit(limit)
    return [int(row[0]) for row in await session.execute(statement)]


async def done_pending(session: DbSession, ticket_id: int) -> None:
    await session.execute(delete(SlaPending).where(SlaPending.ticket_id == ticket_id))
