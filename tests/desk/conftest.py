"""The desk's scene: a client's ticket, and staff keys with and without the desk's scopes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from sqlalchemy import insert, select

from supportdesk.core.db import Database
from supportdesk.core.scopes import MANAGE_SUPPORT, READ_SUPPORT, SCOPES, WRITE_SUPPORT
from supportdesk.tickets.models import Macro, TicketEvent
from tests import builders, conversation_builders
from tests.conversation_builders import Cast

NUMBER = 616828
OTHER_NUMBER = 616829


@dataclass(frozen=True, slots=True)
class Desk:
    cast: Cast
    ticket_id: int
    ref: str  # the `tkt_` id
    other_ticket_id: int  # the other client's
    other_ref: str
    # `manager` is world.staff_id's key with manage:support (not admin:support); `admin` is the
    # owner's (world.owner_id) with every scope; `reader` a staff key without manage:support.
    manager_key: str
    admin_key: str
    reader_key: str

    @property
    def client_key(self) -> str:
        return self.cast.client_key


async def desk_scene(db: Database) -> Desk:
    cast = await conversation_builders.cast(db)
    world = cast.world
    ticket = await builders.ticket(
        db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id, tags=["billing"]
    )
    other = await builders.ticket(
        db, number=OTHER_NUMBER, dept_id=world.dept_id, client_id=world.other_client_id
    )
    manager = (MANAGE_SUPPORT, READ_SUPPORT, WRITE_SUPPORT)
    return Desk(
        cast=cast,
        ticket_id=ticket.id,
        ref=await conversation_builders.public_id_of(db, ticket.id),
        other_ticket_id=other.id,
        other_ref=await conversation_builders.public_id_of(db, other.id),
        manager_key=(await builders.api_key(db, staff_id=world.staff_id, scopes=manager))[1],
        admin_key=(await builders.api_key(db, staff_id=world.owner_id, scopes=SCOPES))[1],
        reader_key=(
            await builders.api_key(
                db, staff_id=world.staff_id, scopes=(READ_SUPPORT, WRITE_SUPPORT)
            )
        )[1],
    )


@pytest.fixture
async def desk(db: Database) -> Desk:
    return await desk_scene(db)


async def events(db: Database, ticket_id: int) -> list[dict[str, Any]]:
    """The ticket's timeline rows, oldest first, `changes` parsed."""
    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(TicketEvent.kind, TicketEvent.changes, TicketEvent.actor_id)
                .where(TicketEvent.ticket_id == ticket_id)
                .order_by(TicketEvent.id)
            )
        ).all()
    return [{"kind": row[0], "changes": orjson.loads(row[1]), "actor_id": row[2]} for row in rows]


async def macro(
    db: Database,
    *,
    name: str = "Waiting on the customer",
    body: str = "Hi {{client.firstname}}, about #{{ticket.number}}: {{staff.firstname}}",
    changes: dict[str, Any] | str | None = None,
    active: bool = True,
) -> int:
    """A macro row, as the admin routes will store it."""
    stored = changes if isinstance(changes, str) else orjson.dumps(changes or {}).decode()
    now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    async with db.transaction() as session:
        return int(
            (
                await session.execute(
                    insert(Macro)
                    .values(
                        name=name,
                        body=body,
                        changes=stored,
                        active=active,
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(Macro.id)
                )
            ).scalar_one()
        )
