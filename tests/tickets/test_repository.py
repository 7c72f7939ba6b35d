"""The detail read costs the same few statements whatever the size of the conversation."""

from __future__ import annotations

import httpx
import pytest

from supportdesk.api.deps import state_of
from tests import builders
from tests.builders import World
from tests.support import AppFactory, client_for, recorded_statements

# The ticket's version, BEGIN (SQLite only, deferred), the ticket with its collections, its
# replies; the key comes from the authenticator's cache and its last use was written by the
# warm-up request. An answer already built costs the version lookup only.
MAX_STATEMENTS = 4
MAX_CACHED_STATEMENTS = 1


@pytest.mark.parametrize("viewer", ["client", "staff"])
async def test_statements_per_read_do_not_grow_with_replies(
    make_app: AppFactory, viewer: str
) -> None:
    app = make_app(key_cache_seconds=60)
    db = state_of(app).db
    world: World = await builders.world(db)
    api_key = world.client_key if viewer == "client" else world.staff_key
    empty = await builders.ticket(
        db, number=100000, dept_id=world.dept_id, client_id=world.client_id, admin_read=True
    )
    busy = await builders.ticket(
        db, number=100050, dept_id=world.dept_id, client_id=world.client_id, admin_read=True
    )
    await builders.replies(db, busy.id, 50)
    await builders.note(db, busy.id, world.staff_id, "noted")
    await builders.attachment(db, busy.id)

    async with client_for(app) as api:

        async def statements_for(number: int) -> list[str]:
            with recorded_statements(app) as statements:
                response = await api.get(
                    f"/api/support/tickets/{number}", headers={"X-API-Key": api_key}
                )
            assert response.status_code == 200
            return statements

        await statements_for(empty.number)  # warm-up: caches the key, records its last use
        await statements_for(busy.number)
        cached_empty = await statements_for(empty.number)
        cached_busy = await statements_for(busy.number)
        state_of(app).answers.clear()
        for_empty = await statements_for(empty.number)
        for_busy = await statements_for(busy.number)

    assert len(for_busy) == len(for_empty), (for_empty, for_busy)
    assert len(for_empty) <= MAX_STATEMENTS, for_empty
    # No BEGIN: a cached read opens no transaction (SQLite's autocommit; PostgreSQL's).
    assert len(cached_busy) == len(cached_empty) == MAX_CACHED_STATEMENTS, cached_busy
    assert not any(statement.lstrip().upper().startswith("UPDATE") for statement in for_busy)


async def test_an_uncached_key_costs_one_lookup_more(make_app: AppFactory) -> None:
    app = make_app(key_cache_seconds=0)
    db = state_of(app).db
    world = await builders.world(db)
    await builders.ticket(
        db, number=100000, dept_id=world.dept_id, client_id=world.client_id, admin_read=True
    )
    async with client_for(app) as api:
        url, headers = "/api/support/tickets/100000", {"X-API-Key": world.staff_key}
        assert (await api.get(url, headers=headers)).status_code == 200
        with recorded_statements(app) as statements:
            response: httpx.Response = await api.get(url, headers=headers)
    assert response.status_code == 200
    assert sum("api_keys" in statement for statement in statements) == 1
    assert len(statements) <= MAX_STATEMENTS + 1
