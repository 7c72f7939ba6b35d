"""Many writes at once through a real server: none lost, none reordered, numbers unique."""

from __future__ import annotations

import asyncio
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
from tests.server import ServerProcess

REPLIES = 50
CREATIONS = 1000
IN_FLIGHT = 50


async def test_fifty_simultaneous_replies_all_land_in_order(
    server: ServerProcess, server_log: Path, db: Database, world: builders.World
) -> None:
    ticket = await builders.ticket(
        db, number=600_001, dept_id=world.dept_id, client_id=world.client_id
    )
    _, key = await builders.api_key(
        db, staff_id=world.staff_id, scopes=READ_WRITE, rate_limit_per_minute=10_000
    )
    bodies = [f"Simultaneous reply {i:02d}" for i in range(REPLIES)]
    url = f"{server.base_url}/api/v2/support/tickets/{ticket.number}/messages"
    async with http_client(key=key, max_connections=REPLIES) as client:
        async with asyncio.timeout(120):
            answers = await asyncio.gather(
                *(client.post(url, json={"message": body}) for body in bodies)
            )
        assert [a.status_code for a in answers] == [201] * REPLIES, [
            a.text for a in answers if a.status_code != 201
        ][:3]
        acknowledged = {a.json()["id"]: a.json()["body"] for a in answers}
        assert len(acknowledged) == REPLIES

        v1 = await client.get(f"{server.base_url}/api/support/tickets/{ticket.number}")
        v2 = await client.get(f"{server.base_url}/api/v2/support/tickets/{ticket.number}")
    assert v1.status_code == 200, v1.text
    assert v2.status_code == 200, v2.text

    # v1: every reply, oldest first, and `lastreply` is the newest reply's date.
    shown = v1.json()["data"]["ticket"]
    replies = shown["replies"]
    assert sorted(r["body"] for r in replies) == bodies
    dates = [r["date"] for r in replies]
    assert dates == sorted(dates)
    assert shown["lastreply"] == dates[-1]

    # v2, to the millisecond: messages in the order of their server-assigned time, and
    # `lastMessageAt` is the newest message's time.
    messages = v2.json()["messages"]
    assert {m["id"]: m["body"] for m in messages} == acknowledged
    sent = [m["sentAt"] for m in messages]
    assert sent == sorted(sent)
    assert v2.json()["lastMessageAt"] == sent[-1], (
        "the ticket's last reply time is not its newest message's time"
    )

    # The stored values, at full precision.
    async with db.transaction() as session:
        last_reply_at = (
            await session.execute(select(Ticket.last_reply_at).where(Ticket.id == ticket.id))
        ).scalar_one()
        newest = (
            await session.execute(
                select(func.max(Reply.created_at)).where(Reply.ticket_id == ticket.id)
            )
        ).scalar_one()
    assert last_reply_at == newest
    assert_clean_log(server_log)


async def test_a_thousand_simultaneous_creations_get_distinct_six_digit_numbers(
    server: ServerProcess,
    server_log: Path,
    db: Database,
    world: builders.World,
    record_property: Callable[[str, object], None],
) -> None:
    _, key = await builders.api_key(
        db, client_id=world.client_id, scopes=READ_WRITE, rate_limit_per_minute=100_000
    )
    slug = await department_slug(db, world.dept_id)
    in_flight = asyncio.Semaphore(IN_FLIGHT)

    async with http_client(key=key, max_connections=IN_FLIGHT) as client:

        async def create(i: int) -> int:
            """Half through v1, half through v2; returns the new ticket's number."""
            async with in_flight:
                if i % 2:
                    response = await client.post(
                        f"{server.base_url}/api/support/tickets",
                        json={
                            "dept_id": world.dept_id,
                            "subject": f"Load {i}",
                            "body": f"Body {i}",
                            "priority": 0,
                        },
                    )
                    assert response.status_code == 200, response.text
                    number = response.json()["data"]["ticket"]["number"]
                    assert isinstance(number, int)
                    return number
                response = await client.post(
                    f"{server.base_url}/api/v2/support/tickets",
                    json={"departmentSlug": slug, "subject": f"Load {i}", "message": f"Body {i}"},
                )
                assert response.status_code == 201, response.text
                return int(response.json()["number"])

        loop = asyncio.get_running_loop()
        began = loop.time()
        async with asyncio.timeout(300):
            numbers = await asyncio.gather(*(create(i) for i in range(CREATIONS)))
        report(record_property, "1000 creations seconds", round(loop.time() - began, 1))

    assert len(set(numbers)) == CREATIONS
    assert all(len(str(n)) == 6 for n in numbers), [n for n in numbers if len(str(n)) != 6]
    async with db.transaction() as session:
        stored = (await session.execute(select(Ticket.ticket_number))).scalars().all()
    assert sorted(stored) == sorted(numbers)
    assert_clean_log(server_log)
