"""One critical ticket per client per hour holds under pressure: many parallel creates across
several server processes on one database make exactly one critical ticket (issue 15, point 1).

The check and the insert are one step: the client's row is locked first on PostgreSQL, and
SQLite's write transactions hold the database's write lock from their start.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from supportdesk.core.db import Database
from supportdesk.models import Ticket
from tests import builders
from tests.operations.common import (
    READ_WRITE,
    assert_clean_log,
    department_slug,
    http_client,
    report,
    servers,
)

PROCESSES = 3
ATTEMPTS = 40


async def test_parallel_critical_creates_on_several_processes_make_one_ticket(
    server_env: dict[str, str], tmp_path: Path, db: Database, world: builders.World
) -> None:
    _, key = await builders.api_key(
        db, client_id=world.client_id, scopes=READ_WRITE, rate_limit_per_minute=10_000
    )
    slug = await department_slug(db, world.dept_id)
    body = {
        "departmentSlug": slug,
        "subject": "Everything is down",
        "message": "All our sites answer 502.",
        "priority": "critical",
        "criticalReason": "Production outage",
    }
    with servers(server_env, tmp_path, PROCESSES) as started:
        async with http_client(key=key, max_connections=ATTEMPTS) as client:
            async with asyncio.timeout(120):
                answers = await asyncio.gather(
                    *(
                        client.post(
                            f"{started[i % PROCESSES].base_url}/api/v2/support/tickets", json=body
                        )
                        for i in range(ATTEMPTS)
                    )
                )
        for index in range(PROCESSES):
            assert_clean_log(tmp_path / f"server-{index}.log")
    statuses = Counter(answer.status_code for answer in answers)
    report(None, "critical creates: statuses", dict(statuses))
    assert statuses == {201: 1, 429: ATTEMPTS - 1}, [a.text for a in answers][:3]
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.json()["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) > 3500
    async with db.transaction() as session:
        stored = (
            await session.execute(
                select(func.count(Ticket.id)).where(
                    Ticket.client_id == world.client_id, Ticket.priority == "critical"
                )
            )
        ).scalar_one()
    assert stored == 1
