"""Where a limit holds: across every app on one Redis, per process with `memory://`."""

from __future__ import annotations

from tests import builders
from tests.support import AppFactory, client_for


async def test_a_keys_limit_is_shared_by_apps_on_the_same_storage(
    make_app: AppFactory, rate_limit_url: str
):
    first, second = make_app(), make_app()
    db = first.state.db
    world = await builders.world(db)
    await builders.ticket(db, number=616828, dept_id=world.dept_id, client_id=world.client_id)
    _, key = await builders.api_key(db, client_id=world.client_id, rate_limit_per_minute=3)
    statuses = []
    async with client_for(first) as one, client_for(second) as two:
        for api in (one, one, two, two):
            response = await api.get("/api/support/tickets/616828", headers={"X-API-Key": key})
            statuses.append(response.status_code)
    shared = rate_limit_url.startswith("redis")
    assert statuses == [200, 200, 200, 429 if shared else 200]
