"""`GET .../events`: the timeline, oldest first, in cursor pages, for staff keys only."""

from __future__ import annotations

import httpx

from supportdesk.core.db import Database
from tests.api.v2.assertions import TIMESTAMP, assert_problem, key
from tests.api.v2.calls import TICKETS, open_ticket
from tests.conversation.conftest import Desk
from tests.conversation.helpers import events, post, ticket_of


async def test_every_step_is_there_oldest_first_in_pages(
    api: httpx.AsyncClient, desk: Desk
) -> None:
    opened = await open_ticket(api, desk.client_key, desk.cast.dept_slug)
    ref = opened["id"]
    for i in range(4):
        assert (await post(api, desk.writer_key, ref, message=f"Answer {i}")).status_code == 201
    everything = await events(api, desk.writer_key, ref)
    assert [e["kind"] for e in everything] == ["opened", *["replied"] * 4]
    first = everything[0]
    assert list(first) == ["id", "at", "actor", "via", "kind", "changes"]
    assert first["actor"] == {"type": "client", "id": desk.client_id, "name": "Ada Lovelace"}
    assert first["via"] == "api_v2"
    assert TIMESTAMP.match(first["at"])
    assert first["changes"]["status"] == {"from": None, "to": "Open"}
    assert everything[1]["actor"]["type"] == "staff"
    assert [e["id"] for e in everything] == sorted(e["id"] for e in everything)

    pages, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await api.get(
            f"{TICKETS}/{ref}/events", headers=key(desk.writer_key), params=params
        )
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append([e["id"] for e in page["data"]])
        cursor = page["nextCursor"]
        assert page["hasMore"] == (cursor is not None)
        if cursor is None:
            break
    assert pages == [[e["id"] for e in everything[i : i + 2]] for i in range(0, 5, 2)]


async def test_the_refusals(api: httpx.AsyncClient, db: Database, desk: Desk) -> None:
    ref = await ticket_of(desk, db, 740_001)
    path = f"{TICKETS}/{ref}/events"
    assert_problem(await api.get(path, headers=key(desk.client_key)), 403, "forbidden")
    assert_problem(await api.get(path), 401, "unauthorized")
    assert_problem(
        await api.get(f"{TICKETS}/999999/events", headers=key(desk.writer_key)), 404, "not_found"
    )
    bad = await api.get(path, headers=key(desk.writer_key), params={"cursor": "forged"})
    assert_problem(bad, 400, "invalid_cursor")
    assert_problem(
        await api.get(path, headers=key(desk.writer_key), params={"limit": 0}),
        400,
        "invalid_request",
    )
    assert (await api.get(path, headers=key(desk.writer_key))).json()["data"] == []
