"""The ticket as the lifecycle rules see it, and the lock that orders changes to it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.departments.models import Department, Status
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.repository.scope import by_reference, visible_to


@dataclass(frozen=True, slots=True)
class TicketState:
    """What the lifecycle rules need to know about a ticket."""

    id: int
    ticket_number: int
    public_id: str
    client_id: int | None
    status: str
    flags: int
    client_can_reopen: bool


async def find_visible_state(
    session: DbSession, actor: Actor, ref: int | str
) -> TicketState | None:
    """The ticket by number or `tkt_` id, scoped like every read; None if not the actor's."""
    row = (
        (
            await session.execute(
                select(
                    Ticket.id,
                    Ticket.ticket_number,
                    Ticket.public_id,
                    Ticket.client_id,
                    Status.name.label("status"),
                    Ticket.flags,
                    Department.client_can_reopen,
                )
                .join(Status, Status.id == Ticket.status_id)
                .join(Department, Department.id == Ticket.dept_id)
                .where(by_reference(ref), visible_to(actor))
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else TicketState(**row)


async def lock(session: DbSession, ticket_id: int) -> bool:
    """Hold the ticket's row until the transaction ends, so that changes to one ticket happen
    one after another. False on SQLite, where every write transaction already holds the
    database's write lock from its start (nothing changed since it was read)."""
    if session.dialect_name == "sqlite":
        return False
    await session.execute(select(Ticket.id).where(Ticket.id == ticket_id).with_for_update())
    return True
