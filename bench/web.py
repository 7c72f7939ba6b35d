"""The desk pages' case: the queue of a staff member with 10,000 open tickets, and a ticket page
with 200 messages, against the v2 API's answer for the same (its list page of the same size,
its detail of the same ticket), measured in the same run.

`python -m bench.web` loads its own data set into a fresh SQLite file (or, with
`--database-url postgresql://...`, an empty PostgreSQL database it migrates), then requests each
page in-process (httpx over ASGI: the app and the database alone, no network), sequentially,
`--requests` times after a warm-up. Printed: p50/p95 server time, the SQL statements one request
sends, and the ratio of each page's p50 to its API baseline's. Target (never asserted): each
page under 50 ms. The v2 detail is answered from its per-version cache (`api/answers.py`) after
the first read, as a running server answers it; the desk's ticket page is built every time (it
marks the ticket read and this session present, and shows the client's other tickets and the
timeline besides).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, event, insert, select

from supportdesk.accounts.models import Client, Staff
from supportdesk.api.deps import state_of
from supportdesk.app import create_app
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.ids import public_id
from supportdesk.core.migrate import upgrade
from supportdesk.departments.models import Department, Status
from supportdesk.keys.service import create_key
from supportdesk.sessions.passwords import hash_password
from supportdesk.tickets.models import Reply, Ticket

PASSWORD = "bench password 1"  # noqa: S105 (the benchmark's own throwaway staff member)
TARGET_MS = 50.0
# The open tickets belong to this many clients (so a client has 200 of the 10,000).
CLIENTS = 50
_BATCH = 1000


async def _load(database: Database, tickets: int, messages: int) -> tuple[int, int]:
    """`CLIENTS` clients, a staff member owning their `tickets` open tickets, the last of them
    with `messages` messages: (staff id, that ticket's number)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    async with database.transaction() as session:
        client_ids = [
            (
                await session.execute(
                    insert(Client)
                    .values(
                        firstname="Bench",
                        lastname=f"Client {index}",
                        email=f"bench{index}@client.example",
                        created_at=start,
                    )
                    .returning(Client.id)
                )
            ).scalar_one()
            for index in range(CLIENTS)
        ]
        client_id = client_ids[-1]
        staff_id = (
            await session.execute(
                insert(Staff)
                .values(
                    username="bench",
                    firstname="Bench",
                    lastname="Staff",
                    email="bench@staff.example",
                    password_hash=hash_password(PASSWORD),
                )
                .returning(Staff.id)
            )
        ).scalar_one()
        dept_id = (
            await session.execute(
                insert(Department)
                .values(slug="bench", name="Bench", email="bench@hostup.example")
                .returning(Department.id)
            )
        ).scalar_one()
        open_id = (await session.execute(select(Status.id).where(Status.name == "Open"))).scalar()
        rows = [
            {
                "public_id": public_id("tkt"),
                "ticket_number": 100000 + index,
                "acc_hash": f"{index:032d}",
                "dept_id": dept_id,
                "org_dept_id": dept_id,
                "client_id": client_ids[index % CLIENTS],
                "creator_id": client_ids[index % CLIENTS],
                "owner_id": staff_id,
                "status_id": open_id,
                "name": "Bench Client",
                "email": "bench@client.example",
                "cc": "",
                "bcc": "",
                "subject": f"Ticket {index}: the server does not answer",
                "body": "It stopped answering this morning.",
                "priority": "medium",
                "flags": 0,
                "admin_read": index % 3 == 0,
                "client_read": True,
                "type": "Client",
                "request_type": "General",
                "created_at": start + timedelta(minutes=index),
                "last_reply_at": start + timedelta(minutes=index),
                "updated_at": start + timedelta(minutes=index),
                "start_date": start + timedelta(minutes=index),
            }
            for index in range(tickets)
        ]
        for offset in range(0, len(rows), _BATCH):
            await session.execute(insert(Ticket), rows[offset : offset + _BATCH])  # type: ignore[arg-type]
        number = 100000 + tickets - 1
        ticket_id = (
            await session.execute(select(Ticket.id).where(Ticket.ticket_number == number))
        ).scalar_one()
        at = start + timedelta(minutes=tickets)
        replies = [
            {
                "public_id": public_id("tmsg"),
                "ticket_id": ticket_id,
                "replier_id": staff_id if index % 2 else client_id,
                "name": "Bench Staff" if index % 2 else "Bench Client",
                "email": "bench@staff.example" if index % 2 else "bench@client.example",
                "body": f"Message {index}: see https://status.example/{index} for details.\n" * 3,
                "status": "Sent",
                "type": "Admin" if index % 2 else "Client",
                "created_at": at + timedelta(minutes=index),
            }
            for index in range(messages)
        ]
        await session.execute(insert(Reply), replies)  # type: ignore[arg-type]
    return int(staff_id), number


def _engine(database: Database) -> Engine:
    if database._sqlite_engine is not None:
        return database._sqlite_engine
    assert database._async_engine is not None
    return database._async_engine.sync_engine


async def _time(
    client: httpx.AsyncClient,
    engine: Engine,
    url: str,
    requests: int,
    headers: dict[str, str] | None = None,
    before: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    for _ in range(3):  # warm-up: caches, the database's pages
        before()
        (await client.get(url, headers=headers)).raise_for_status()
    seen: list[str] = []

    def listener(*args: Any) -> None:
        seen.append(args[2])

    before()
    event.listen(engine, "before_cursor_execute", listener)
    response = await client.get(url, headers=headers)
    event.remove(engine, "before_cursor_execute", listener)
    response.raise_for_status()
    timings = []
    for _ in range(requests):
        before()
        began = time.perf_counter()
        (await client.get(url, headers=headers)).raise_for_status()
        timings.append((time.perf_counter() - began) * 1000)
    ordered = sorted(timings)
    return {
        "url": url,
        "p50_ms": statistics.median(timings),
        "p95_ms": ordered[max(0, int(len(ordered) * 0.95) - 1)],
        "sql_statements": len(seen),
        "bytes": len(response.content),
    }


async def _measure(url: str, tickets: int, messages: int, requests: int) -> list[dict[str, Any]]:
    data_dir = Path(tempfile.mkdtemp(prefix="bench-web-"))
    app = create_app(
        Settings(
            database_url=url,
            data_dir=data_dir,
            rate_limit_per_minute=1_000_000,
            key_cache_seconds=60,
            log_level="WARNING",
        )
    )
    database = state_of(app).db
    staff_id, number = await _load(database, tickets, messages)
    async with database.transaction() as session:
        _, key = await create_key(
            session,
            client_id=None,
            staff_id=staff_id,
            scopes=["read:support", "manage:support"],
            rate_limit_per_minute=100_000_000,
        )
    engine = _engine(database)
    api = {"X-API-Key": key}
    results = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        form = await client.get("/desk/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        signed = await client.post(
            "/desk/sign-in",
            data={"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert signed.status_code == 303, signed.text
        pairs = [
            (
                f"queue: mine, {tickets} open tickets (50 a page)",
                "/desk/?view=mine",
                "/api/v2/support/tickets?ownerId=me&limit=50",
            ),
            (
                f"ticket page: {messages} messages",
                f"/desk/tickets/{number}",
                f"/api/v2/support/tickets/{number}",
            ),
        ]
        answers = state_of(app).answers
        for label, page_url, baseline_url in pairs:
            page = await _time(client, engine, page_url, requests)
            baselines = [("", await _time(client, engine, baseline_url, requests, api))]
            if "/tickets/" in baseline_url:
                # The detail is also measured as built, not answered from its cache.
                built = await _time(client, engine, baseline_url, requests, api, answers.clear)
                baselines.append((" (v2 detail built: cache cleared)", built))
            for suffix, baseline in baselines:
                results.append(
                    {
                        "case": label + suffix,
                        "page": page,
                        "baseline": baseline,
                        "ratio_p50": page["p50_ms"] / baseline["p50_ms"],
                    }
                )
    await database.dispose()
    return results


def report(backend: str, results: list[dict[str, Any]]) -> str:
    rows = [
        f"Desk pages ({backend}, in-process, sequential; target < {TARGET_MS:.0f} ms p50 each):",
        "",
        "| case | page p50 ms | p95 ms | SQL | baseline (v2 API) p50 ms | SQL | ratio p50 "
        "| target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in results:
        page, baseline = run["page"], run["baseline"]
        rows.append(
            "| "
            + " | ".join(
                [
                    run["case"],
                    f"{page['p50_ms']:.1f}",
                    f"{page['p95_ms']:.1f}",
                    str(page["sql_statements"]),
                    f"{baseline['p50_ms']:.1f}",
                    str(baseline["sql_statements"]),
                    f"{run['ratio_p50']:.2f}",
                    "met" if page["p50_ms"] < TARGET_MS else "missed",
                ]
            )
            + " |"
        )
    table = "\n".join(rows)
    print(table)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description="The desk pages' case, on its own data set")
    parser.add_argument(
        "--database-url",
        help="an empty database to load (default: a new SQLite file in a temporary directory)",
    )
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--requests", type=int, default=30)
    options = parser.parse_args()
    url = options.database_url
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-web-db-')) / 'bench.db'}"
    upgrade(url)
    backend = "sqlite" if url.startswith("sqlite") else "postgres"
    report(backend, asyncio.run(_measure(url, options.tickets, options.messages, options.requests)))


if __name__ == "__main__":
    main()
