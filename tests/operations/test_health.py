"""Liveness and readiness: answered, never rate limited, and honest when the database is gone."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from supportdesk.api.deps import state_of
from tests import builders
from tests.operations.common import headers
from tests.server import free_port
from tests.support import AppFactory, client_for

HEALTH = ("/healthz", "/readyz")
RATE_LIMIT_HEADERS = (
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "ratelimit-policy",
    "ratelimit",
    "retry-after",
)


async def test_health_and_readiness_answer_200_with_no_rate_limit_headers(
    make_app: AppFactory,
) -> None:
    async with client_for(make_app()) as client:
        for path in HEALTH:
            response = await client.get(path)
            assert response.status_code == 200, response.text
            assert not set(RATE_LIMIT_HEADERS) & set(response.headers), response.headers
        ready = (await client.get("/readyz")).json()
    assert ready == {"status": "ok", "checks": {"database": "ok", "rateLimits": "ok"}}


async def test_health_checks_count_against_no_limit(make_app: AppFactory) -> None:
    """A key limited to 3 a minute and an address allowed 2 failed authentications: 40 probes
    with the key and 40 with a wrong key leave both budgets untouched."""
    app = make_app(auth_failures_per_minute=2)
    database = state_of(app).db
    world = await builders.world(database)
    _, key = await builders.api_key(database, client_id=world.client_id, rate_limit_per_minute=3)
    wrong = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    async with client_for(app) as client:
        for _ in range(20):
            for path in HEALTH:
                assert (await client.get(path, headers=headers(key))).status_code == 200
                assert (await client.get(path, headers=headers(wrong))).status_code == 200
        first = await client.get("/api/support/departments", headers=headers(key))
        assert first.status_code == 200, first.text
        assert first.headers["x-ratelimit-limit"] == "3"
        assert first.headers["x-ratelimit-remaining"] == "2"
        refused = await client.get("/api/support/departments", headers=headers(wrong))
        assert refused.status_code == 401, refused.text  # not 429: no failure was counted


@pytest.mark.parametrize("unreachable", ["sqlite-directory", "postgres-closed-port"])
async def test_readiness_is_503_when_the_database_is_unreachable(
    make_app: AppFactory, tmp_path: Path, unreachable: str
) -> None:
    if unreachable == "sqlite-directory":
        url = f"sqlite:///{tmp_path}"  # a directory: SQLite cannot open it
    else:
        url = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"  # nothing listens
    app = make_app(database_url=url, db_pool_timeout_seconds=5, db_command_timeout_seconds=5)
    async with client_for(app) as client, asyncio.timeout(30):
        ready = await client.get("/readyz")
        alive = await client.get("/healthz")
    assert ready.status_code == 503, ready.text
    body = ready.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] != "ok"
    assert body["checks"]["rateLimits"] == "ok"
    assert not set(RATE_LIMIT_HEADERS) & set(ready.headers)
    # Liveness says the process answers; only readiness depends on the database.
    assert alive.status_code == 200
