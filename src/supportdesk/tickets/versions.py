"""What makes an answer stale: a ticket's own version, and the generation of what many show.

Every change to a ticket writes its event through `service.record_change`; a change to
something many tickets show (a department or status renamed or recoloured, a staff member,
client or client group renamed, a service edited) calls `shown_data_changed` in its own
transaction. A cached answer is keyed by both, so neither kind of change can leave it stale.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update

from supportdesk.core.db import DbSession
from supportdesk.tickets.models import RenderGeneration, Ticket


async def ticket_changed(session: DbSession, ticket_id: int) -> None:
    await tickets_changed(session, [ticket_id])


async def tickets_changed(session: DbSession, ticket_ids: Sequence[int]) -> None:
    """Each ticket's version moves by one, in one statement (the ids are distinct)."""
    await session.execute(
        update(Ticket).where(Ticket.id.in_(ticket_ids)).values(version=Ticket.version + 1)
    )


async def shown_data_changed(session: DbSession) -> None:
    await session.execute(
        update(RenderGeneration)
        .where(RenderGeneration.id == 1)
        .values(value=RenderGeneration.value + 1)
    )


async def generation(session: DbSession) -> int:
    value = (
        await session.execute(select(RenderGeneration.value).where(RenderGeneration.id == 1))
    ).scalar()
    return int(value or 0)
