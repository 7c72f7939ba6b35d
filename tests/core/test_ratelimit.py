"""Where a limit holds: across every app on one Redis (over TCP, TLS or a unix socket), per
process with `memory://`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from supportdesk.api.deps import state_of
from supportdesk.core.db import Database
from tests import builders
from tests.operations.common import headers, http_client
from tests.redis_server import PrivateRedis, private_redis
from tests.server import running_server
from tests.support import AppFactory, client_for


async def test_a_keys_limit_is_shared_by_apps_on_the_same_storage(
    make_app: AppFactory, rate_limit_url: str
) -> None:
    first, second = make_app(), make_app()
    db = state_of(first).db
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


@pytest.fixture
def tls_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    with private_redis(tmp_path) as server:
        yield server


@pytest.mark.parametrize("transport", ["tls", "unix"])
async def test_a_limit_is_shared_over_tls_and_over_a_unix_socket(
    tls_redis: PrivateRedis, make_app: AppFactory, transport: str
) -> None:
    """SUPPORTDESK_REDIS_URL as rediss:// or unix://: two apps count in one window there (the
    server answers on nothing else, so a count that is shared went through that transport)."""
    url = tls_redis.tls_url if transport == "tls" else tls_redis.unix_url
    first = make_app(redis_url=url, rate_limit_storage_url=None)
    second = make_app(redis_url=url, rate_limit_storage_url=None)
    db = state_of(first).db
    world = await builders.world(db)
    await builders.ticket(db, number=616828, dept_id=world.dept_id, client_id=world.client_id)
    _, key = await builders.api_key(db, client_id=world.client_id, rate_limit_per_minute=3)
    statuses = []
    async with client_for(first) as one, client_for(second) as two:
        assert (await one.get("/readyz")).json()["checks"]["rateLimits"] == "ok"
        for api in (one, two, one, two):
            response = await api.get("/api/support/tickets/616828", headers={"X-API-Key": key})
            statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429]


async def test_the_server_takes_a_rediss_url_from_the_environment(
    tls_redis: PrivateRedis, server_env: dict[str, str], db: Database, tmp_path: Path
) -> None:
    """`SUPPORTDESK_REDIS_URL=rediss://…` starts the real server, which counts limits there."""
    env = {name: value for name, value in server_env.items() if "RATE_LIMIT" not in name}
    world = await builders.world(db)
    _, key = await builders.api_key(db, client_id=world.client_id, rate_limit_per_minute=2)
    env["SUPPORTDESK_REDIS_URL"] = tls_redis.tls_url
    with running_server(env, tmp_path / "server.log") as server:
        async with http_client() as client:
            ready = await client.get(f"{server.base_url}/readyz")
            statuses = [
                (
                    await client.get(
                        f"{server.base_url}/api/support/departments", headers=headers(key)
                    )
                ).status_code
                for _ in range(3)
            ]
    assert ready.json()["checks"] == {"database": "ok", "rateLimits": "ok"}, ready.text
    assert statuses == [200, 200, 429]


async def test_apps_with_other_key_prefixes_count_apart_and_reset_only_their_own(
    tls_redis: PrivateRedis, make_app: AppFactory
) -> None:
    """SUPPORTDESK_RATE_LIMIT_KEY_PREFIX: installations sharing one Redis database keep apart
    (the suite's sessions do so too: each has its own prefix)."""
    url = tls_redis.unix_url
    ours = make_app(redis_url=url, rate_limit_storage_url=None, rate_limit_key_prefix="one")
    same = make_app(redis_url=url, rate_limit_storage_url=None, rate_limit_key_prefix="one")
    theirs = make_app(redis_url=url, rate_limit_storage_url=None, rate_limit_key_prefix="two")
    db = state_of(ours).db
    world = await builders.world(db)
    await builders.ticket(db, number=616828, dept_id=world.dept_id, client_id=world.client_id)
    _, key = await builders.api_key(db, client_id=world.client_id, rate_limit_per_minute=2)

    async def status(app: FastAPI) -> int:
        async with client_for(app) as api:
            response = await api.get("/api/support/tickets/616828", headers={"X-API-Key": key})
            return response.status_code

    assert [await status(ours), await status(same), await status(ours)] == [200, 200, 429]
    assert [await status(theirs), await status(theirs), await status(theirs)] == [200, 200, 429]
    await state_of(theirs).limiter.reset()
    assert await status(ours) == 429  # the other prefix's reset left this window alone
    assert await status(theirs) == 200
