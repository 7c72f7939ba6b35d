"""The SLA's scene: a department with policies, a client who writes, staff who answer, and a
way to run the breach job at any instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from supportdesk.admin import sla as policies
from supportdesk.core.actor import VIA_API_V2, Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.scopes import SCOPES
from supportdesk.jobs.task import JobContext
from supportdesk.sla import job
from supportdesk.sla.models import SlaBreach
from supportdesk.tickets import service
from supportdesk.tickets.conversation import ReplyOptions
from supportdesk.tickets.models import Ticket, TicketEvent
from supportdesk.tickets.records import NewMessage, NewTicket
from tests import builders


@dataclass(frozen=True, slots=True)
class Scene:
    world: builders.World
    admin: Actor
    staff: Actor
    client: Actor

    @property
    def dept_id(self) -> int:
        return self.world.dept_id


@pytest.fixture
async def scene(db: Database) -> Scene:
    world = await builders.world(db)
    return Scene(
        world=world,
        admin=Actor.staff(world.owner_id, VIA_API_V2, frozenset(SCOPES)),
        staff=Actor.staff(world.staff_id, VIA_API_V2, frozenset(SCOPES)),
        client=Actor.client(world.client_id, VIA_API_V2, frozenset(SCOPES)),
    )


async def add_policy(db: Database, scene: Scene, **fields: Any) -> int:
    """A policy, through the admin service (first_response in 1 h, level 1, unless told)."""
    values = {"department_id": scene.dept_id, "level": 1, "hours": 1.0, **fields}
    async with db.transaction() as session:
        return (await policies.create_policy(session, scene.admin, values)).id


async def open_ticket(db: Database, scene: Scene) -> int:
    """A client opens a ticket (now): its number."""
    new = NewTicket(
        subject="Disk full",
        body="My VPS is out of space.",
        priority="medium",
        dept_id=scene.dept_id,
    )
    async with db.transaction() as session:
        return (await service.open_ticket(session, scene.client, new)).ticket_number


async def post(
    db: Database, actor: Actor, number: int, body: str, options: ReplyOptions | None = None
) -> None:
    async with db.transaction() as session:
        await service.post_message(session, actor, number, NewMessage(body=body), options)


async def run_job(db: Database, later: timedelta) -> int:
    """The breach job, as a tick `later` from now runs it: the breaches it made."""
    context = JobContext(db, Settings(), utcnow() + later, "test-worker")
    return await job.run(context)


async def ticket_of(db: Database, number: int) -> dict[str, Any]:
    async with db.transaction() as session:
        statement = select(*Ticket.__table__.c).where(Ticket.ticket_number == number)
        return dict((await session.execute(statement)).mappings().one())


async def breach_rows(db: Database) -> list[tuple[str, int]]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(SlaBreach.effect_key, SlaBreach.level).order_by(SlaBreach.id)
        )
        return [(row[0], row[1]) for row in rows]


async def sla_events(db: Database, ticket_id: int) -> list[tuple[str, dict[str, Any], str]]:
    """The ticket's SLA events: kind, changes, actor type."""
    async with db.transaction() as session:
        rows = await session.execute(
            select(TicketEvent.kind, TicketEvent.changes, TicketEvent.actor_type)
            .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind.like("sla_%"))
            .order_by(TicketEvent.id)
        )
        return [(row[0], orjson.loads(row[1]), row[2]) for row in rows]
