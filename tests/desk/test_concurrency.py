"""Concurrent PATCHes to one ticket: each lands, or a stale `If-Match` gets 412 (both backends).

The requests run together on one event loop through the app: on PostgreSQL each holds its own
connection and they queue on the ticket's row lock; on SQLite on the process's one connection.
"""

from __future__ import annotations

import asyncio

import httpx

from supportdesk.core.db import Database
from tests import conversation_builders
from tests.api.v2.assertions import key
from tests.desk.conftest import NUMBER, Desk, events


async def test_concurrent_tag_additions_all_land(
    api: httpx.AsyncClient, db: Database, desk: Desk
) -> None:
    url = f"/api/v2/support/tickets/{desk.ref}"
    names = [f"t{i}" for i in range(8)]
    answers = await asyncio.gather(
        *(api.patch(url, json={"addTags": [name]}, headers=key(desk.manager_key)) for name in names)
    )
    assert [answer.status_code for answer in answers] == [200] * len(names)
    shown = await api.get(url, headers=key(desk.manager_key))
    assert shown.json()["desk"]["tags"] == sorted(["billing", *names])
    updates = [event for event in await events(db, desk.ticket_id) if event["kind"] == "updated"]
    assert len(updates) == len(names)
    # Each event saw the tags the one before it left: none was planned on a stale read.
    added = [set(e["changes"]["tags"]["to"]) - set(e["changes"]["tags"]["from"]) for e in updates]
    assert sorted(name for found in added for name in found) == names
    # Each PATCH moved the version once; so did the staff read above, marking the ticket read.
    assert (await conversation_builders.ticket_row(db, NUMBER))["version"] == len(names) + 1


async def test_concurrent_changes_with_one_etag_one_lands_the_others_are_412(
    api: httpx.AsyncClient, db: Database, desk: Desk
) -> None:
    url = f"/api/v2/support/tickets/{desk.ref}"
    tag = (await api.get(url, headers=key(desk.manager_key))).headers["etag"]
    priorities = ["low", "high", "urgent", "critical"]
    answers = await asyncio.gather(
        *(
            api.patch(
                url,
                json={"priority": priority},
                headers={**key(desk.manager_key), "If-Match": tag},
            )
            for priority in priorities
        )
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 412, 412, 412], [a.text for a in answers]
    [winner] = [p for p, a in zip(priorities, answers, strict=True) if a.status_code == 200]
    assert (await conversation_builders.ticket_row(db, NUMBER))["priority"] == winner
    assert len([e for e in await events(db, desk.ticket_id) if e["kind"] == "updated"]) == 1
