"""One server with three worker processes on one database: concurrent writes all succeed.

On SQLite this is the proof that three processes writing one file never answer "database is
locked": BEGIN IMMEDIATE plus the busy timeout make writers queue instead of failing. It runs
on PostgreSQL too, where the same load checks the connection pool of three processes.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from supportdesk.core.db import Database
from supportdesk.models import Reply, Ticket
from tests import builders
from tests.operations.common import (
    READ_WRITE,
    assert_clean_log,
    department_slug,
    http_client,
    report,
)
from tests.server import running_server

WORKERS = 3
PROC = Path("/proc")
SEEDED = 20
CREATIONS = 100
REPLIES = 100


def _children_list(pid: int) -> Path:
    return PROC / str(pid) / "task" / str(pid) / "children"


def _python_children(pid: int) -> list[int]:
    """The worker processes uvicorn's supervisor runs (Linux /proc)."""
    found = [int(child) for child in _children_list(pid).read_text().split()]
    return [child for child in found if "python" in (PROC / str(child) / "cmdline").read_text()]


def _wait_for_workers(pid: int) -> None:
    """All three workers up before the load, so the writes really come from three processes."""
    if not _children_list(pid).exists():  # pragma: no cover
        time.sleep(3.0)  # no /proc children list (not Linux): give the workers time to start
        return
    deadline = time.monotonic() + 30
    while len(_python_children(pid)) < WORKERS:
        assert time.monotonic() < deadline, "uvicorn did not start its workers within 30 s"
        time.sleep(0.1)
    time.sleep(1.5)  # each worker imports the app before it accepts


async def test_concurrent_writes_to_three_workers_all_succeed(
    server_env: dict[str, str],
    tmp_path: Path,
    db: Database,
    world: builders.World,
    record_property: Callable[[str, object], None],
) -> None:
    _, key = await builders.api_key(
        db, client_id=world.client_id, scopes=READ_WRITE, rate_limit_per_minute=100_000
    )
    slug = await department_slug(db, world.dept_id)
    seeded = [
        await builders.ticket(
            db, number=800_000 + i, dept_id=world.dept_id, client_id=world.client_id
        )
        for i in range(SEEDED)
    ]
    log = tmp_path / "server.log"
    with running_server(server_env, log, workers=WORKERS) as server:
        base = server.base_url
        await asyncio.to_thread(_wait_for_workers, server.process.pid)
        async with http_client(key=key, max_connections=CREATIONS + REPLIES) as client:
            creations = [
                client.post(
                    f"{base}/api/v2/support/tickets",
                    json={"departmentSlug": slug, "subject": f"Worker load {i}", "message": f"{i}"},
                )
                for i in range(CREATIONS)
            ]
            replies = [
                client.post(
                    f"{base}/api/v2/support/tickets/{seeded[i % SEEDED].number}/messages",
                    json={"message": f"Worker reply {i}"},
                )
                for i in range(REPLIES)
            ]
            loop = asyncio.get_running_loop()
            began = loop.time()
            async with asyncio.timeout(300):
                answers = await asyncio.gather(*creations, *replies)
            report(
                record_property, "200 writes on 3 workers seconds", round(loop.time() - began, 1)
            )
    statuses = Counter(a.status_code for a in answers)
    failed = [a.text for a in answers if a.status_code != 201]
    assert statuses == Counter({201: CREATIONS + REPLIES}), (statuses, failed[:3])
    assert_clean_log(log)
    async with db.transaction() as session:
        tickets = (await session.execute(select(func.count()).select_from(Ticket))).scalar_one()
        stored = (await session.execute(select(func.count()).select_from(Reply))).scalar_one()
    assert tickets == SEEDED + CREATIONS
    assert stored == REPLIES
