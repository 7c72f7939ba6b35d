"""The staff `desk` object on the v2 detail and list items; the client's view without it."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from supportdesk.core.db import Database
from tests import builders, conversation_builders
from tests.api.v2.assertions import DESK_SUMMARY_KEYS, assert_ticket_shape, key
from tests.desk.conftest import Desk
from tests.support import recorded_statements

TICKETS = "/api/v2/support/tickets"
SEND_AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


async def test_the_detail_carries_the_desk_for_staff_only(
    api: httpx.AsyncClient, db: Database, desk: Desk
) -> None:
    world = desk.cast.world
    await conversation_builders.set_ticket(
        db,
        desk.ticket_id,
        owner_id=world.owner_id,
        bcc="audit@hostup.example",
        escalated=2,
        resolve_date=datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
    )
    await builders.note(db, desk.ticket_id, world.staff_id, "Customer is on the old plan.")
    draft = await conversation_builders.reply(db, desk.ticket_id, status="Draft", body="Draft")
    await conversation_builders.reply(
        db, desk.ticket_id, status="Scheduled", body="Later", send_at=SEND_AT
    )
    merged = await builders.ticket(
        db,
        number=616830,
        dept_id=world.dept_id,
        client_id=world.client_id,
        parent_id=desk.ticket_id,
        merged_at=datetime(2026, 11, 22, tzinfo=UTC),
    )
    staff = (await api.get(f"{TICKETS}/{desk.ref}", headers=key(desk.manager_key))).json()
    assert_ticket_shape(staff, detail=True)
    shown = staff["desk"]
    assert shown["clientId"] == world.client_id
    assert shown["owner"] == {"id": world.owner_id, "username": "jdoe", "name": "John Doe"}
    assert shown["bccEmails"] == ["audit@hostup.example"]
    assert shown["escalationLevel"] == 2
    assert shown["resolveBy"] == "2026-11-21T09:00:00.000Z"
    assert shown["unread"] is False  # staff reading it marks it read
    assert shown["mergedFrom"] == [await conversation_builders.public_id_of(db, merged.id)]
    assert shown["mergedInto"] is None
    [note] = shown["notes"]
    assert note["body"] == "Customer is on the old plan."
    assert note["author"] == {"id": world.staff_id, "name": "Grace Hopper"}
    assert note["id"].startswith("tnote_")
    assert [(d["body"], d["state"], d["sendAt"]) for d in shown["drafts"]] == [
        ("Draft", "draft", None),
        ("Later", "scheduled", "2026-12-01T08:00:00.000Z"),
    ]
    assert draft
    assert staff["messages"] == []  # drafts are not messages
    child = (await api.get(f"{TICKETS}/616830", headers=key(desk.manager_key))).json()
    assert child["desk"]["mergedInto"] == desk.ref
    client = (await api.get(f"{TICKETS}/{desk.ref}", headers=key(desk.client_key))).json()
    assert "desk" not in client
    assert_ticket_shape(client, detail=True)
    assert {k: v for k, v in staff.items() if k != "desk"} == client


async def test_list_items_carry_the_desk_summary_for_staff_only(
    api: httpx.AsyncClient, desk: Desk
) -> None:
    staff = (await api.get(TICKETS, headers=key(desk.manager_key))).json()["data"]
    assert len(staff) == 2
    for item in staff:
        assert_ticket_shape(item, detail=False)
        assert list(item["desk"]) == DESK_SUMMARY_KEYS
    mine = next(item for item in staff if item["id"] == desk.ref)
    assert mine["desk"]["tags"] == ["billing"]
    assert mine["desk"]["statusName"] == "Open"
    assert mine["desk"]["unread"] is True
    await api.get(f"{TICKETS}/{desk.ref}", headers=key(desk.manager_key))
    again = (await api.get(TICKETS, headers=key(desk.manager_key))).json()["data"]
    assert next(item for item in again if item["id"] == desk.ref)["desk"]["unread"] is False
    client = (await api.get(TICKETS, headers=key(desk.client_key))).json()["data"]
    assert [item["id"] for item in client] == [desk.ref]
    assert "desk" not in client[0]


async def test_a_staff_page_takes_the_same_statements_whatever_its_size(
    api: httpx.AsyncClient, db: Database, desk: Desk, app: object
) -> None:
    from fastapi import FastAPI

    assert isinstance(app, FastAPI)
    await api.get(TICKETS, headers=key(desk.manager_key))  # warm: the key's first use

    async def count(limit: int) -> int:
        with recorded_statements(app) as statements:
            response = await api.get(
                TICKETS, params={"limit": limit}, headers=key(desk.manager_key)
            )
        assert response.status_code == 200
        assert len(response.json()["data"]) == min(limit, total)
        return len(statements)

    world = desk.cast.world
    for i in range(10):
        await builders.ticket(
            db, number=700000 + i, dept_id=world.dept_id, client_id=world.client_id, tags=["x"]
        )
    total = 12
    assert await count(2) == await count(12)
