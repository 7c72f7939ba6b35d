"""What the job tests share: tickets opened and answered through the services, the runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import Database, DbSession
from supportdesk.jobs import events as jobs_events
from supportdesk.jobs.events import ChangeEvent
from supportdesk.jobs.models import JobEffect
from supportdesk.jobs.runner import Runner
from supportdesk.models import Reply
from supportdesk.tickets import conversation, service
from supportdesk.tickets.records import NewMessage, NewTicket, Posted, TicketRecord
from tests import builders
from tests.conversation_builders import client_actor, set_department, staff_actor


@dataclass
class Desk:
    """A client, a staff member and a department, and the service calls the tests make."""

    db: Database
    settings: Settings
    world: builders.World

    async def open(self, subject: str = "My VPS does not boot") -> TicketRecord:
        async with self.db.transaction() as session:
            return await service.open_ticket(
                session,
                client_actor(self.world.client_id),
                NewTicket(
                    subject=subject,
                    body="It panics.",
                    priority="medium",
                    dept_id=self.world.dept_id,
                ),
            )

    async def answer(
        self, number: int, body: str = "Try the rescue image.", **options: Any
    ) -> Posted:
        async with self.db.transaction() as session:
            return await service.post_message(
                session,
                staff_actor(self.world.staff_id),
                number,
                NewMessage(body=body),
                conversation.ReplyOptions(**options) if options else None,
            )

    async def client_reply(self, number: int, body: str = "Still broken.") -> Posted:
        async with self.db.transaction() as session:
            return await service.post_message(
                session, client_actor(self.world.client_id), number, NewMessage(body=body)
            )

    async def auto_close_after(self, hours: float) -> None:
        await set_department(self.db, self.world.dept_id, auto_close_hours=hours)

    async def tick(
        self, *, later: timedelta = timedelta(0), worker: str = "test:1:aaa"
    ) -> dict[str, int]:
        """One tick of the runner, as if it ran `later` from now."""
        return await Runner(self.db, self.settings, worker=worker).tick(utcnow() + later)

    async def ticket(self, number: int) -> TicketRecord:
        async with self.db.transaction() as session:
            return await service.shown(session, staff_actor(self.world.staff_id), number)

    async def events(self, number: int) -> list[tuple[str, str, str]]:
        """(kind, actor type, via) of each event of the ticket, oldest first."""
        async with self.db.transaction() as session:
            found = await service.ticket_history(session, staff_actor(self.world.staff_id), number)
        return [(event.kind, event.actor_type, event.via) for event in found]

    async def effects(self) -> list[str]:
        async with self.db.transaction() as session:
            rows = (await session.execute(select(JobEffect.key).order_by(JobEffect.id))).all()
        return [row[0] for row in rows]

    async def count(self, *conditions: Any, of: Any = Reply) -> int:
        async with self.db.transaction() as session:
            statement = select(func.count()).select_from(of).where(*conditions)
            return int((await session.execute(statement)).scalar_one())


@pytest.fixture
async def desk(db: Database, settings_for: Callable[..., Settings]) -> Desk:
    return Desk(db, settings_for(), await builders.world(db))


def fail_on_event(monkeypatch: pytest.MonkeyPatch, ticket_id: int, kind: str) -> None:
    """A fault for the test: what follows from the ticket's `kind` event (`on_event`) raises,
    so the change that wrote it cannot commit; every other event goes on as ever."""
    original = jobs_events.on_event

    async def failing(session: DbSession, event: ChangeEvent) -> None:
        if event.ticket_id == ticket_id and event.kind == kind:
            raise RuntimeError("cannot tell anyone about this one")
        await original(session, event)

    monkeypatch.setattr(jobs_events, "on_event", failing)
