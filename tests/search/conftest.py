"""Fixtures for the search and staff-list tests."""

from __future__ import annotations

import pytest

from supportdesk.core.db import Database
from tests import conversation_builders
from tests.conversation_builders import Cast


@pytest.fixture
async def cast(db: Database) -> Cast:
    """The world with writing keys and department slugs (see `conversation_builders.Cast`)."""
    return await conversation_builders.cast(db)
