"""Fixtures for the webhooks: an app whose targets may be on loopback, a receiver, keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from supportdesk.api.deps import state_of
from supportdesk.core.clock import utcnow
from supportdesk.core.db import Database
from supportdesk.core.scopes import SCOPES
from supportdesk.jobs.task import JobContext
from supportdesk.webhooks.task import deliver_due
from tests import builders, conversation_builders
from tests.conversation_builders import Cast
from tests.webhooks.receiver import Receiver, running_receiver

HOOKS = "/api/v2/admin/webhooks"


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"webhooks_allow_private": True}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as found:
        yield found


@dataclass(frozen=True, slots=True)
class Desk:
    cast: Cast
    admin_key: str

    @property
    def admin(self) -> dict[str, str]:
        return {"X-API-Key": self.admin_key}

    @property
    def staff(self) -> dict[str, str]:
        return {"X-API-Key": self.cast.staff_key}

    @property
    def client(self) -> dict[str, str]:
        return {"X-API-Key": self.cast.client_key}


@pytest.fixture
async def desk(db: Database) -> Desk:
    cast = await conversation_builders.cast(db)
    _, key = await builders.api_key(db, staff_id=cast.world.owner_id, scopes=SCOPES)
    return Desk(cast=cast, admin_key=key)


async def register(
    api: httpx.AsyncClient, desk: Desk, receiver: Receiver, **body: Any
) -> dict[str, Any]:
    """An endpoint for the receiver; the receiver learns its secret."""
    created = await api.post(HOOKS, headers=desk.admin, json={"url": receiver.url, **body})
    assert created.status_code == 201, created.text
    found: dict[str, Any] = created.json()
    receiver.secret = found["secret"]
    return found


def context(app: FastAPI, now: datetime | None = None, worker: str = "test") -> JobContext:
    state = state_of(app)
    return JobContext(db=state.db, settings=state.settings, now=now or utcnow(), worker=worker)


async def deliver_everything(app: FastAPI, now: datetime | None = None) -> int:
    """Run the job until nothing more is due at `now`; the attempts made."""
    made = 0
    for _ in range(100):
        step = await deliver_due(context(app, now))
        if not step:
            return made
        made += step
    raise AssertionError("the job never ran out of due work")
