"""No lost writes: the server is SIGKILLed at random moments under a load of writes.

Four clients open tickets (v1 and v2) and reply to them (v2) as fast as the server answers,
while the test kills the server process (SIGKILL: no shutdown, no flushing) after a random
0.05-0.4 s and starts a new one, at least 20 times. Every write that was answered 200/201 was
acknowledged and must be there afterwards; writes whose answer was lost to the kill may or may
not be there, but nothing half-written may be: no ticket without its opening message, no
message without its ticket, no text that no client sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

from supportdesk.core.db import Database
from supportdesk.models import Reply, Ticket
from tests import builders
from tests.operations.common import (
    READ_WRITE,
    assert_clean_log,
    department_slug,
    http_client,
    log_tail,
    report,
)
from tests.server import ServerProcess, start_server

KILLS = 20
CLIENTS = 4
DELAY = (0.05, 0.4)
RUN_BOUND = 240.0  # seconds for the whole kill loop, on a loaded machine; ~30 s is typical


@dataclass
class Ledger:
    """What the clients sent, and what the server acknowledged."""

    tickets: dict[int, tuple[str, str]] = field(default_factory=dict)  # number -> subject, body
    messages: dict[str, tuple[int, str]] = field(default_factory=dict)  # id -> number, body
    sent_bodies: set[str] = field(default_factory=set)
    sent_subjects: set[str] = field(default_factory=set)
    unexpected: list[str] = field(default_factory=list)
    refused: int = 0  # never reached a server: certainly not written
    unanswered: int = 0  # sent, but the answer was lost to a kill: outcome unknown


class Current:
    """The server now running; replaced after each kill. `up` is clear while it restarts."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.up = asyncio.Event()
        self.up.set()


async def _client_loop(
    worker: int,
    key: str,
    slug: str,
    dept_id: int,
    current: Current,
    ledger: Ledger,
    stop: asyncio.Event,
    rng: random.Random,
) -> None:
    async with http_client(key=key) as client:
        client.timeout = httpx.Timeout(15.0, connect=2.0)
        sequence = 0
        while not stop.is_set():
            sequence += 1
            tag = f"w{worker}-{sequence}-{uuid.uuid4().hex[:8]}"
            base = current.server.base_url
            try:
                if not ledger.tickets or rng.random() < 0.4:
                    subject, body = f"Crash load {tag}", f"Opening message {tag}"
                    ledger.sent_subjects.add(subject)
                    ledger.sent_bodies.add(body)
                    if sequence % 2:
                        response = await client.post(
                            f"{base}/api/support/tickets",
                            json={
                                "dept_id": dept_id,
                                "subject": subject,
                                "body": body,
                                "priority": 1,
                            },
                        )
                        if response.status_code == 200:
                            number = int(response.json()["data"]["ticket"]["number"])
                            ledger.tickets[number] = (subject, body)
                            continue
                    else:
                        response = await client.post(
                            f"{base}/api/v2/support/tickets",
                            json={"departmentSlug": slug, "subject": subject, "message": body},
                        )
                        if response.status_code == 201:
                            number = int(response.json()["number"])
                            ledger.tickets[number] = (subject, body)
                            continue
                else:
                    number = rng.choice(list(ledger.tickets))
                    body = f"Reply {tag}"
                    ledger.sent_bodies.add(body)
                    response = await client.post(
                        f"{base}/api/v2/support/tickets/{number}/messages",
                        json={"message": body},
                    )
                    if response.status_code == 201:
                        message = response.json()
                        assert message["body"] == body
                        ledger.messages[message["id"]] = (number, body)
                        continue
                ledger.unexpected.append(f"{response.status_code} {response.text[:300]}")
            except httpx.ConnectError:
                # The server is down or restarting: nothing was sent. Wait for the next one.
                ledger.refused += 1
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(1.0):
                        await current.up.wait()
            except httpx.TransportError:
                # The server was killed under this request: the outcome is unknown, so the
                # write is not counted as acknowledged (it may or may not be there).
                ledger.unanswered += 1


async def _verify_through_api(server: ServerProcess, key: str, ledger: Ledger) -> int:
    """Read every acknowledged ticket back; returns how many acknowledged writes were checked."""
    expected: dict[int, dict[str, str]] = {number: {} for number in ledger.tickets}
    for message_id, (number, body) in ledger.messages.items():
        expected.setdefault(number, {})[message_id] = body
    missing: list[str] = []
    limit = asyncio.Semaphore(10)

    async with http_client(key=key) as client:

        async def check(number: int) -> None:
            async with limit:
                response = await client.get(f"{server.base_url}/api/v2/support/tickets/{number}")
            if response.status_code != 200:
                missing.append(f"ticket {number}: {response.status_code} {response.text[:200]}")
                return
            ticket = response.json()
            if number in ledger.tickets:
                subject, body = ledger.tickets[number]
                if (ticket["subject"], ticket["body"]) != (subject, body):
                    missing.append(f"ticket {number}: {ticket['subject']!r} {ticket['body']!r}")
            shown = {m["id"]: m["body"] for m in ticket["messages"]}
            for message_id, body in expected[number].items():
                if shown.get(message_id) != body:
                    missing.append(f"ticket {number}: message {message_id} missing or changed")

        await asyncio.gather(*(check(number) for number in expected))
    assert not missing, missing[:20]
    return len(ledger.tickets) + len(ledger.messages)


async def _verify_in_database(db: Database, ledger: Ledger) -> None:
    async with db.transaction() as session:
        tickets = (
            await session.execute(select(Ticket.ticket_number, Ticket.subject, Ticket.body))
        ).all()
        replies = (await session.execute(select(Reply.body, Reply.ticket_id))).all()
        orphans = (
            await session.execute(
                select(func.count())
                .select_from(Reply)
                .outerjoin(Ticket, Ticket.id == Reply.ticket_id)
                .where(Ticket.id.is_(None))
            )
        ).scalar_one()
        per_ticket = (
            await session.execute(
                select(Ticket.ticket_number, func.count(Reply.id))
                .outerjoin(Reply, Reply.ticket_id == Ticket.id)
                .group_by(Ticket.ticket_number)
            )
        ).all()
    counts = {int(number): int(count) for number, count in per_ticket}
    assert orphans == 0
    numbers = {int(row.ticket_number) for row in tickets}
    assert set(ledger.tickets) <= numbers
    for row in tickets:
        # Every ticket has its opening message, whole, as a client sent it.
        assert row.body, row
        assert row.body in ledger.sent_bodies, row
        assert row.subject in ledger.sent_subjects, row
    for row in replies:
        assert row.body in ledger.sent_bodies, row
    acknowledged = Counter(number for number, _ in ledger.messages.values())
    for number, count in acknowledged.items():
        assert counts[number] >= count


async def test_no_acknowledged_write_is_lost_when_the_server_is_killed(
    server_env: dict[str, str],
    db: Database,
    world: builders.World,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    seed = int(os.environ.get("SUPPORTDESK_CRASH_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    report(record_property, "crash seed", seed)
    _, key = await builders.api_key(
        db, client_id=world.client_id, scopes=READ_WRITE, rate_limit_per_minute=1_000_000
    )
    slug = await department_slug(db, world.dept_id)
    log = tmp_path / "server.log"
    ledger = Ledger()
    stop = asyncio.Event()
    current = Current(await asyncio.to_thread(start_server, server_env, log))
    workers = [
        asyncio.create_task(
            _client_loop(
                i, key, slug, world.dept_id, current, ledger, stop, random.Random(rng.random())
            )
        )
        for i in range(CLIENTS)
    ]
    kills = 0
    began = time.monotonic()
    try:
        async with asyncio.timeout(RUN_BOUND):
            while kills < KILLS:
                await asyncio.sleep(rng.uniform(*DELAY))
                current.up.clear()
                await asyncio.to_thread(current.server.kill)
                kills += 1
                current.server = await asyncio.to_thread(start_server, server_env, log)
                current.up.set()
        # A moment of load on the last server, then a clean stop of the clients.
        await asyncio.sleep(0.3)
        stop.set()
        async with asyncio.timeout(60):
            await asyncio.gather(*workers)
        run_seconds = time.monotonic() - began

        assert not ledger.unexpected, (ledger.unexpected[:10], log_tail(log))
        assert ledger.tickets, "the load opened no ticket"
        assert ledger.messages, "the load posted no reply"
        checked = await _verify_through_api(current.server, key, ledger)
        await _verify_in_database(db, ledger)
    finally:
        stop.set()
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        await asyncio.to_thread(current.server.stop)
    assert_clean_log(log)
    report(record_property, "crash kills", kills)
    report(
        record_property,
        "crash writes checked",
        {
            "total": checked,
            "tickets": len(ledger.tickets),
            "messages": len(ledger.messages),
            "unanswered (outcome unknown)": ledger.unanswered,
            "refused while restarting": ledger.refused,
            "seconds": round(run_seconds, 1),
        },
    )
    assert kills >= KILLS
