"""The timeline: one row per change to a ticket, written in the change's own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert, select

from supportdesk.core.db import DbSession
from supportdesk.tickets.models import TicketEvent

# {field: {"from": old, "to": new}}
Changes = dict[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class EventInsert:
    ticket_id: int
    at: datetime
    actor_type: str
    actor_id: int | None
    actor_name: str
    via: str
    kind: str
    changes: Changes


@dataclass(frozen=True, slots=True)
class EventRecord:
    id: int
    ticket_id: int
    at: datetime
    actor_type: str
    actor_id: int | None
    actor_name: str
    via: str
    kind: str
    changes: Changes


async def insert_event(session: DbSession, event: EventInsert) -> None:
    await insert_events(session, [event])


async def insert_events(session: DbSession, events: Sequence[EventInsert]) -> None:
    """Several events in one statement (a job's batch), in the order given."""
    rows = [
        {
            "ticket_id": event.ticket_id,
            "at": event.at,
            "actor_type": event.actor_type,
            "actor_id": event.actor_id,
            "actor_name": event.actor_name,
            "via": event.via,
            "kind": event.kind,
            "changes": orjson.dumps(event.changes).decode(),
        }
        for event in events
    ]
    await session.execute(insert(TicketEvent).values(rows))


async def list_events(
    session: DbSession, ticket_id: int, *, after_id: int = 0, limit: int | None = None
) -> list[EventRecord]:
    """The ticket's events, oldest first (in the order they were written)."""
    statement = (
        select(*TicketEvent.__table__.c)
        .where(TicketEvent.ticket_id == ticket_id, TicketEvent.id > after_id)
        .order_by(TicketEvent.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    rows = (await session.execute(statement)).mappings().all()
    return [EventRecord(**{**row, "changes": orjson.loads(row["changes"])}) for row in rows]
