"""Fixtures for attachment tests: the app with the attachment routes, tickets, stored files."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from supportdesk.api.deps import state_of
from supportdesk.api.v1 import attachments as v1_attachments
from supportdesk.api.v2 import attachments as v2_attachments
from supportdesk.attachments.storage import FileStore
from supportdesk.core.actor import VIA_API_V2, Actor
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.tickets.models import Attachment
from tests import builders
from tests.builders import BuiltTicket, World
from tests.support import AppFactory

NUMBER = 616828
OTHER_NUMBER = 727939
LOG = b"2026-11-27 09:51:56 kernel: panic - not syncing\n"


def with_attachment_routes(app: FastAPI) -> FastAPI:
    """The app, with the attachment routers included unless app.py already does."""
    included = [getattr(route, "original_router", None) for route in app.routes]
    for router in (v1_attachments.router, v2_attachments.router):
        if not any(router is other for other in included):
            app.include_router(router)
    return app


@pytest.fixture
def app(make_app: AppFactory) -> FastAPI:
    return with_attachment_routes(make_app())


@pytest.fixture
def settings(app: FastAPI) -> Settings:
    configured = state_of(app).settings
    return configured


@pytest.fixture
def files(settings: Settings) -> FileStore:
    return FileStore.for_settings(settings)


def client_actor(client_id: int) -> Actor:
    return Actor.client(client_id, VIA_API_V2, frozenset({"read:support", "write:support"}))


def staff_actor(staff_id: int) -> Actor:
    return Actor.staff(staff_id, VIA_API_V2, frozenset({"read:support", "write:support"}))


@dataclass(frozen=True, slots=True)
class Tickets:
    """The world's client's ticket (with a sent and a draft staff reply), and another's."""

    mine: BuiltTicket
    theirs: BuiltTicket
    sent_reply: int
    draft_reply: int


@pytest.fixture
async def tickets(db: Database, world: World) -> Tickets:
    mine = await builders.ticket(
        db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id
    )
    theirs = await builders.ticket(
        db, number=OTHER_NUMBER, dept_id=world.dept_id, client_id=world.other_client_id
    )
    return Tickets(
        mine=mine,
        theirs=theirs,
        sent_reply=await builders.reply(db, mine.id),
        draft_reply=await builders.reply(db, mine.id, status="Draft", body="Draft: ask for logs"),
    )


@dataclass(frozen=True, slots=True)
class StoredFile:
    id: int
    public_id: str


async def stored_attachment(
    db: Database,
    files: FileStore,
    ticket_id: int,
    *,
    reply_id: int | None = None,
    filename: str = "console.log",
    data: bytes = LOG,
) -> StoredFile:
    """An attachment row on a ticket (through the shared builder), with its file stored."""
    files.store(data)
    attachment_id = await builders.attachment(
        db, ticket_id, reply_id=reply_id, filename=filename, data=data
    )
    async with db.transaction() as session:
        public_id = (
            await session.execute(
                select(Attachment.public_id).where(Attachment.id == attachment_id)
            )
        ).scalar_one()
    return StoredFile(attachment_id, str(public_id))
