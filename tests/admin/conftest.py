"""Fixtures for the admin routes: the world, and a staff key with `admin:support`."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from supportdesk.core.db import Database
from supportdesk.core.scopes import SCOPES
from tests import builders
from tests.builders import World


@dataclass(frozen=True, slots=True)
class Admin:
    world: World
    key: str  # the world's staff member's, with every scope
    key_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.key}


@pytest.fixture
async def admin(db: Database, world: World) -> Admin:
    key_id, key = await builders.api_key(db, staff_id=world.staff_id, scopes=SCOPES)
    return Admin(world=world, key=key, key_id=key_id)
