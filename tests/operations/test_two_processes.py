"""Two server processes on one database: what one writes the other reads, rate limits and
revocations reach both.

The rate-limit storage is whatever the suite runs with (`server_env` passes it on): Redis when
`SUPPORTDESK_TEST_REDIS_URL` is set, else `memory://`.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from supportdesk.core.db import Database
from supportdesk.keys.service import revoke_key
from tests import builders
from tests.operations.common import READ_WRITE, http_client, report, servers, shared_rate_limits
from tests.server import ServerProcess

# The keys are cached per process for SUPPORTDESK_KEY_CACHE_SECONDS (1 s in `server_env`).
PROPAGATION_BOUND = 2.0


@pytest.fixture
def two_servers(server_env: dict[str, str], tmp_path: Path) -> Iterator[list[ServerProcess]]:
    with servers(server_env, tmp_path, 2) as started:
        yield started


async def test_a_ticket_opened_on_one_process_is_read_on_the_other(
    two_servers: list[ServerProcess], db: Database, world: builders.World
) -> None:
    first, second = two_servers
    _, key = await builders.api_key(db, client_id=world.client_id, scopes=READ_WRITE)
    async with http_client(key=key) as client:
        created = await client.post(
            f"{first.base_url}/api/support/tickets",
            json={
                "dept_id": world.dept_id,
                "subject": "Opened on the first process",
                "body": "Read back on the second one.",
                "priority": 1,
            },
        )
        assert created.status_code == 200, created.text
        number = created.json()["data"]["ticket"]["number"]

        read = await client.get(f"{second.base_url}/api/support/tickets/{number}")
        assert read.status_code == 200, read.text
        ticket = read.json()["data"]["ticket"]
        assert ticket["number"] == str(number)
        assert ticket["subject"] == "Opened on the first process"
        assert ticket["body"] == "Read back on the second one."

        replied = await client.post(
            f"{second.base_url}/api/v2/support/tickets/{number}/messages",
            json={"message": "Replied on the second process."},
        )
        assert replied.status_code == 201, replied.text
        again = await client.get(f"{first.base_url}/api/v2/support/tickets/{number}")
        assert again.status_code == 200, again.text
        assert [m["id"] for m in again.json()["messages"]] == [replied.json()["id"]]


async def test_a_key_limit_holds_across_processes_with_shared_storage(
    two_servers: list[ServerProcess], db: Database, world: builders.World, rate_limit_url: str
) -> None:
    """A key limited to N a minute, 3N requests alternating between the two processes.

    With Redis (shared storage) both processes count in one window: at most N succeed in all,
    and exactly N, since the window is not over-strict either.

    With `memory://` each process keeps its own counters, so the limit can only hold per
    process: the contract says so ("with no Redis configured it holds per process"). Then each
    process lets exactly N through (it saw 1.5N), and together they let 2N through: this is
    the documented price of running several processes without Redis, not a bug.
    """
    n = 10
    _, key = await builders.api_key(db, client_id=world.client_id, rate_limit_per_minute=n)
    successes: Counter[int] = Counter()
    statuses: Counter[int] = Counter()
    async with http_client(key=key) as client:
        for i in range(3 * n):
            server = two_servers[i % 2]
            response = await client.get(f"{server.base_url}/api/support/departments")
            statuses[response.status_code] += 1
            assert response.status_code in (200, 429), response.text
            assert response.headers["x-ratelimit-limit"] == str(n)
            if response.status_code == 200:
                successes[i % 2] += 1
            else:
                assert int(response.headers["retry-after"]) >= 1
    report(None, "rate limit successes per process", dict(successes))
    if shared_rate_limits(rate_limit_url):
        assert sum(successes.values()) == n, statuses
    else:
        assert successes[0] == n, statuses
        assert successes[1] == n, statuses


async def test_a_revocation_reaches_the_other_process_within_the_cache_time(
    two_servers: list[ServerProcess],
    db: Database,
    world: builders.World,
    record_property: Callable[[str, object], None],
) -> None:
    """Revoked in the database (as `supportdesk keys revoke` does), refused by every process
    within the key cache's time (1 s) plus a request; measured, and bounded by 2 s."""
    key_id, key = await builders.api_key(
        db, client_id=world.client_id, rate_limit_per_minute=100_000
    )
    async with http_client(key=key) as client:
        # Both processes have the key cached (the worst case: a fresh cache entry).
        for server in two_servers:
            warm = await client.get(f"{server.base_url}/api/support/departments")
            assert warm.status_code == 200, warm.text
        async with db.transaction() as session:
            assert await revoke_key(session, str(key_id))
        revoked = time.monotonic()

        async def refused_after(server: ServerProcess) -> float:
            deadline = revoked + 10.0
            while time.monotonic() < deadline:
                response = await client.get(f"{server.base_url}/api/support/departments")
                if response.status_code == 401:
                    return time.monotonic() - revoked
                assert response.status_code == 200, response.text
                await asyncio.sleep(0.02)
            pytest.fail("the revoked key was still accepted after 10 s")

        elapsed = await asyncio.gather(*(refused_after(s) for s in two_servers))
    worst = max(elapsed)
    report(
        record_property,
        "revocation propagation seconds",
        {"first": round(elapsed[0], 3), "second": round(elapsed[1], 3)},
    )
    assert worst < PROPAGATION_BOUND


async def test_a_list_cursor_from_one_process_pages_on_the_other(
    two_servers: list[ServerProcess],
    db: Database,
    world: builders.World,
    server_env: dict[str, str],
) -> None:
    """Neither process was given a secret nor ran `init`: both find (or make, atomically) the
    one `secret_key` file of their shared data directory, so their cursors agree."""
    for i in range(3):
        await builders.ticket(
            db, number=810_000 + i, dept_id=world.dept_id, client_id=world.client_id
        )
    url = "/api/v2/support/tickets"
    async with http_client(key=world.client_key) as client:
        page = await client.get(f"{two_servers[0].base_url}{url}", params={"limit": 1})
        assert page.status_code == 200, page.text
        cursor = page.json()["nextCursor"]
        seen = [page.json()["data"][0]["number"]]
        while cursor:
            server = two_servers[len(seen) % 2]
            page = await client.get(
                f"{server.base_url}{url}", params={"limit": 1, "cursor": cursor}
            )
            assert page.status_code == 200, page.text
            seen.append(page.json()["data"][0]["number"])
            cursor = page.json()["nextCursor"]
    assert sorted(seen) == ["810000", "810001", "810002"]
    names = await asyncio.to_thread(os.listdir, server_env["SUPPORTDESK_DATA_DIR"])
    assert [name for name in names if "secret" in name] == ["secret_key"]
