"""All SQL on clients' services and ticket links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select

from supportdesk.core.db import DbSession
from supportdesk.hosting.models import Service, TicketService


async def find_client_service(
    session: DbSession, *, client_id: int, service_type: str, service_id: int
) -> int | None:
    """The service's id if it is that client's and of that type."""
    found = (
        await session.execute(
            select(Service.id).where(
                Service.id == service_id,
                Service.client_id == client_id,
                Service.service_type == service_type,
            )
        )
    ).scalar_one_or_none()
    return None if found is None else int(found)


async def link(
    session: DbSession,
    *,
    ticket_id: int,
    service_id: int,
    ai_summary: str,
    ai_helpful: bool | None,
    now: datetime,
) -> None:
    await session.execute(
        insert(TicketService).values(
            ticket_id=ticket_id,
            service_id=service_id,
            ai_summary=ai_summary,
            ai_helpful=ai_helpful,
            created_at=now,
            updated_at=now,
        )
    )
