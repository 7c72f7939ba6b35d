"""The timeline: every change to a ticket, through any door, writes its event in the same
transaction; `supportdesk tickets history` prints them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from supportdesk.core.actor import VIA_CLI, Actor
from supportdesk.core.db import Database
from supportdesk.core.errors import Forbidden
from supportdesk.models import TicketEvent
from supportdesk.tickets import service
from tests import conversation_builders
from tests.api.v2.calls import TICKETS, post_message, uploaded
from tests.conftest import Run
from tests.conversation_builders import Cast, client_actor


@pytest.fixture
async def cast(db: Database) -> Cast:
    return await conversation_builders.cast(db)


def headers(api_key: str) -> dict[str, str]:
    return {"X-API-Key": api_key}


async def v1_open(api: httpx.AsyncClient, cast: Cast, **fields: Any) -> int:
    response = await api.post(
        "/api/support/tickets",
        headers=headers(cast.client_key),
        json={
            "dept_id": cast.world.dept_id,
            "subject": "Mail bounces",
            "body": "Since this morning.",
            "priority": 1,
            **fields,
        },
    )
    assert response.status_code == 200, response.text
    return int(response.json()["data"]["ticket"]["number"])


async def event_count(db: Database) -> int:
    async with db.transaction() as session:
        return int((await session.execute(select(func.count(TicketEvent.id)))).scalar_one())


def history(run: Run, number: int) -> list[dict[str, Any]]:
    result = run("tickets", "history", str(number), "--json")
    assert result.exit_code == 0, result.output
    events: list[dict[str, Any]] = orjson.loads(result.stdout)
    return events


async def test_a_ticket_opened_in_v1_and_worked_in_v2_has_four_events_in_order(
    api: httpx.AsyncClient, cast: Cast, run: Run
) -> None:
    before = datetime.now(UTC)
    number = await v1_open(api, cast)
    replied = await post_message(api, cast.staff_key, number, "Fixed on our side.")
    assert replied.status_code == 201, replied.text
    message_id = replied.json()["id"]
    closed = await api.post(f"{TICKETS}/{number}/actions/close", headers=headers(cast.client_key))
    assert closed.status_code == 200, closed.text
    reopened = await api.post(f"{TICKETS}/{number}/actions/reopen", headers=headers(cast.staff_key))
    assert reopened.status_code == 200, reopened.text

    events = history(run, number)

    client = {"type": "client", "id": cast.world.client_id, "name": "Ada Lovelace"}
    staff = {"type": "staff", "id": cast.world.staff_id, "name": "Grace Hopper"}
    assert [(e["kind"], e["actor"], e["via"]) for e in events] == [
        ("opened", client, "api_v1"),
        ("replied", staff, "api_v2"),
        ("closed", client, "api_v2"),
        ("reopened", staff, "api_v2"),
    ]
    assert events[0]["changes"] == {
        "status": {"from": None, "to": "Open"},
        "department": {"from": None, "to": cast.dept_slug},
        "priority": {"from": None, "to": "medium"},
        "subject": {"from": None, "to": "Mail bounces"},
        "client": {"from": None, "to": cast.world.client_id},
    }
    assert events[1]["changes"] == {
        "message": {"from": None, "to": message_id},
        "status": {"from": "Open", "to": "Answered"},
    }
    assert events[2]["changes"] == {"status": {"from": "Answered", "to": "Closed"}}
    assert events[3]["changes"] == {"status": {"from": "Closed", "to": "Open"}}
    times = [datetime.fromisoformat(e["at"].replace("Z", "+00:00")) for e in events]
    assert times == sorted(times)
    assert before.replace(microsecond=0) <= times[0]
    assert all(e["at"].endswith("Z") and len(e["at"]) == 24 for e in events)
    assert list(events[0]) == ["at", "actor", "via", "kind", "changes"]


async def test_the_human_history_names_each_step(
    api: httpx.AsyncClient, cast: Cast, run: Run
) -> None:
    number = await v1_open(api, cast)
    await post_message(api, cast.client_key, number, "More detail.")
    result = run("tickets", "history", str(number))
    assert result.exit_code == 0, result.output
    for text in ("opened", "replied", "Ada Lovelace", "api_v1", "api_v2", "Open"):
        assert text in result.stdout


async def test_what_changes_nothing_writes_no_event(
    api: httpx.AsyncClient, db: Database, cast: Cast
) -> None:
    number = await v1_open(api, cast)
    first = await api.post(f"{TICKETS}/{number}/actions/close", headers=headers(cast.client_key))
    assert first.status_code == 200
    count = await event_count(db)
    again = await api.post(f"{TICKETS}/{number}/actions/close", headers=headers(cast.client_key))
    assert again.status_code == 200, "closing a closed ticket is no error"
    # Reading marks the ticket read, which is not a change either.
    read = await api.get(f"/api/support/tickets/{number}", headers=headers(cast.staff_key))
    assert read.status_code == 200
    assert await event_count(db) == count


async def test_a_refused_change_leaves_no_event(
    api: httpx.AsyncClient, db: Database, cast: Cast
) -> None:
    number = await v1_open(api, cast)
    await api.post(f"{TICKETS}/{number}/actions/close", headers=headers(cast.client_key))
    count = await event_count(db)
    refused = await post_message(api, cast.client_key, number, "Hello?")
    assert refused.status_code == 409
    # A message whose attachment cannot be claimed rolls back with its event.
    reopened = await api.post(
        f"{TICKETS}/{number}/actions/reopen", headers=headers(cast.client_key)
    )
    assert reopened.status_code == 200
    count = await event_count(db)
    foreign = await uploaded(api, cast.other_key)
    failed = await post_message(api, cast.client_key, number, "See file.", attachmentIds=[foreign])
    assert failed.status_code == 400
    assert await event_count(db) == count


async def test_a_ticket_opened_in_v2_by_staff_records_the_staff_member(
    api: httpx.AsyncClient, cast: Cast, run: Run
) -> None:
    response = await api.post(
        TICKETS,
        headers=headers(cast.staff_key),
        json={
            "departmentSlug": cast.dept_slug,
            "subject": "Planned maintenance",
            "message": "Tonight at 22:00.",
            "clientId": cast.world.client_id,
        },
    )
    assert response.status_code == 201, response.text
    [opened] = history(run, int(response.json()["number"]))
    assert opened["actor"] == {"type": "staff", "id": cast.world.staff_id, "name": "Grace Hopper"}
    assert (opened["via"], opened["kind"]) == ("api_v2", "opened")


async def test_history_of_an_unknown_ticket_is_one_line_and_exit_1(run: Run, cast: Cast) -> None:
    result = run("tickets", "history", "999999")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "error: no ticket with number 999999"


async def test_the_timeline_is_not_a_clients_to_read(
    api: httpx.AsyncClient, db: Database, cast: Cast
) -> None:
    number = await v1_open(api, cast)
    async with db.transaction() as session:
        with pytest.raises(Forbidden):
            await service.ticket_history(session, client_actor(cast.world.client_id), number)
        events = await service.ticket_history(session, Actor.system(VIA_CLI), number)
    assert [event.kind for event in events] == ["opened"]
