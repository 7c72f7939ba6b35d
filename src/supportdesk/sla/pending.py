"""Tickets whose SLA clocks must be evaluated again because their rules changed (a policy
added or edited, a department's business hours), or that predate the SLA tables: the breach
job takes them a bounded batch a tick. Its own module, so that the admin services marking
them need none of the SLA's rules."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from supportdesk.core.db import DbSession
from supportdesk.departments.models import CLOSED, Status
from supportdesk.sla.models import SlaClock, SlaPending
from supportdesk.tickets.models import Ticket


async def mark_department(session: DbSession, department_id: int) -> None:
    """The department's tickets that are not closed are evaluated again."""
    dialect = postgresql if session.dialect_name == "postgresql" else sqlite
    tickets = (
        select(Ticket.id)
        .join(Status, Status.id == Ticket.status_id)
        .where(Ticket.dept_id == department_id, Status.name != CLOSED)
    )
    await session.execute(
        dialect.insert(SlaPending)
        .from_select(["ticket_id"], tickets)
        .on_conflict_do_nothing(index_elements=["ticket_id"])
    )


async def forget_policy(session: DbSession, policy_id: int) -> None:
    """A policy about to be deleted takes its clocks with it."""
    await session.execute(delete(SlaClock).where(SlaClock.policy_id == policy_id))
