"""The desk's conversation tests: a cast with a manager (a staff key with `manage:support`)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from supportdesk.core.db import Database
from tests import builders, conversation_builders
from tests.conversation_builders import Cast

MANAGER_SCOPES = ("read:support", "write:support", "manage:support")
UNLIMITED = 100_000


@dataclass(frozen=True, slots=True)
class Desk:
    """The cast, a manager's key, and a client key and a staff writer's key without a limit."""

    cast: Cast
    manager_key: str
    client_key: str
    writer_key: str

    @property
    def client_id(self) -> int:
        return self.cast.world.client_id

    @property
    def staff_id(self) -> int:
        return self.cast.world.staff_id


@pytest.fixture
async def desk(db: Database) -> Desk:
    cast = await conversation_builders.cast(db)
    world = cast.world
    _, manager = await builders.api_key(
        db, staff_id=world.staff_id, scopes=MANAGER_SCOPES, rate_limit_per_minute=UNLIMITED
    )
    _, client = await builders.api_key(
        db,
        client_id=world.client_id,
        scopes=conversation_builders.ALL_SCOPES,
        rate_limit_per_minute=UNLIMITED,
    )
    _, writer = await builders.api_key(
        db,
        staff_id=world.staff_id,
        scopes=conversation_builders.WRITE_SCOPES,
        rate_limit_per_minute=UNLIMITED,
    )
    return Desk(cast=cast, manager_key=manager, client_key=client, writer_key=writer)
