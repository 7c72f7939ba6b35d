"""Fixtures of the desk's page tests: a ticket of `world`'s client, and staff who can sign in."""

from __future__ import annotations

import pytest

from supportdesk.core.db import Database
from tests import builders
from tests.web.desk.helpers import staff_with_password

NUMBER = 482913


@pytest.fixture
async def world_ticket(db: Database, world: builders.World) -> int:
    """Ticket 482913 of `world`'s client, and the staff member `grace` (password set)."""
    await staff_with_password(db)
    await builders.ticket(db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id)
    return NUMBER
