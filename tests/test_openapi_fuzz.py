"""schemathesis over the OpenAPI document: no server errors, every response as documented.

The document is the app's own `openapi()` (read at import, with no database behind it). The app
the cases are sent to is built for schemathesis alone: its ASGI transport runs every call on
one event loop of its own, so that app's connections never cross into the suite's loop. The
data (tickets of the key's client, of another client, an internal one) is built beforehand
through the suite's usual app; the keys' limits are high enough never to be reached.

(`schemathesis.pytest.from_fixture` would load the document from a fixture instead, but
schemathesis 4.32 reads `Function._nodeid`, which pytest 9.2 no longer has.)
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.python import asgi

from supportdesk.app import create_app
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from tests import builders
from tests.support import close_limiter

TICKET_ROUTE = "/api/support/tickets/{number}"
MAX_EXAMPLES = 100
# Numbers the data below uses: the key's client's ticket, another client's, an internal one.
NUMBERS = (616828, 616829, 616830)


@dataclass(frozen=True, slots=True)
class FuzzKeys:
    client: str
    staff: str


@pytest.fixture
async def fuzz_keys(db: Database) -> FuzzKeys:
    world = await builders.world(db)
    mine = await builders.ticket(
        db, number=NUMBERS[0], dept_id=world.dept_id, client_id=world.client_id, tags=["a"]
    )
    await builders.replies(db, mine.id, 3)
    await builders.reply(db, mine.id, status="Draft")
    await builders.note(db, mine.id, world.staff_id, "internal")
    await builders.attachment(db, mine.id)
    service = await builders.service(db, world.client_id)
    await builders.link_service(db, mine.id, service, ai_helpful=True)
    await builders.ticket(
        db, number=NUMBERS[1], dept_id=world.dept_id, client_id=world.other_client_id
    )
    await builders.ticket(
        db, number=NUMBERS[2], dept_id=world.dept_id, client_id=world.client_id, flags=16
    )
    high = 1_000_000
    _, client = await builders.api_key(db, client_id=world.client_id, rate_limit_per_minute=high)
    _, staff = await builders.api_key(db, staff_id=world.staff_id, rate_limit_per_minute=high)
    return FuzzKeys(client=client, staff=staff)


def _closing_the_limiter(app: FastAPI) -> None:
    """Close the limiter's Redis pool when schemathesis ends the app's lifespan, on its loop."""
    original = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with original(app) as state:
            yield state
        await close_limiter(app.state.limiter)

    app.router.lifespan_context = lifespan


@pytest.fixture
def fuzz_stats() -> Iterator[Counter[str]]:
    """What the cases did; checked afterwards, so that a fuzz run that only ever hit one
    status (every key refused, say) cannot pass unnoticed."""
    stats: Counter[str] = Counter()
    yield stats
    assert stats["client"], stats
    assert stats["staff"], stats
    assert {"200", "404", "400"} <= set(stats), stats
    print(f"\nschemathesis: {stats.total() // 2} cases, {dict(stats)}")


@pytest.fixture
def fuzz_app(fuzz_keys: FuzzKeys, settings_for: Callable[..., Settings]) -> Iterator[FastAPI]:
    app = create_app(settings_for(auth_failures_per_minute=100_000))
    _closing_the_limiter(app)
    yield app
    asgi.shutdown_lifespans()  # disposes the app's database on the loop that used it


def _document() -> dict[str, Any]:
    # Building the app opens no connection: the database named here is never touched.
    unused = Path(tempfile.gettempdir()) / "supportdesk-openapi-only.db"
    app = create_app(
        Settings(database_url=f"sqlite:///{unused}", rate_limit_storage_url="memory://")
    )
    return app.openapi()


schema = schemathesis.openapi.from_dict(_document()).include(path=TICKET_ROUTE)


@schema.parametrize()
@schema.given(viewer=st.sampled_from(["client", "staff"]), known=st.sampled_from((None, *NUMBERS)))
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_ticket_route_conforms_to_its_schema(
    case: Any,
    fuzz_app: FastAPI,
    fuzz_keys: FuzzKeys,
    fuzz_stats: Counter[str],
    viewer: str,
    known: int | None,
) -> None:
    positive = case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE
    # Generated numbers almost never exist: send most valid cases to a ticket that does.
    if positive and known is not None and case.path_parameters:
        case.path_parameters = {**case.path_parameters, "number": known}
    key = fuzz_keys.client if viewer == "client" else fuzz_keys.staff
    response = case.call_and_validate(app=fuzz_app, headers={"X-API-Key": key})
    fuzz_stats.update([viewer, str(response.status_code)])
