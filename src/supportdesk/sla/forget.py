"""Forget clocks whose rules changed (a policy edited, a department's hours): the breach job
evaluates those tickets again, a bounded batch a tick. Its own module, so that the admin
services that call it need none of the SLA's rules."""

from __future__ import annotations

from sqlalchemy import delete, select

from supportdesk.core.db import DbSession
from supportdesk.sla.models import SlaClock
from supportdesk.tickets.models import Ticket


async def forget_clocks(
    session: DbSession, *, policy_id: int | None = None, department_id: int | None = None
) -> None:
    """Delete the clocks of a policy, or of a department's tickets."""
    statement = delete(SlaClock)
    if policy_id is not None:
        statement = statement.where(SlaClock.policy_id == policy_id)
    if department_id is not None:
        of_department = select(Ticket.id).where(Ticket.dept_id == department_id)
        statement = statement.where(SlaClock.ticket_id.in_(of_department.scalar_subquery()))
    await session.execute(statement)
