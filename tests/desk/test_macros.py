"""Macros: the active list, a preview that changes nothing, and applying one."""

from __future__ import annotations

import httpx

from supportdesk.core.db import Database
from tests import conversation_builders
from tests.api.v2.assertions import assert_invalid, assert_problem, key
from tests.desk.conftest import NUMBER, Desk, events, macro

MACROS = "/api/v2/support/macros"


def apply_url(desk: Desk) -> str:
    return f"/api/v2/support/tickets/{desk.ref}/actions/apply-macro"


async def test_the_list_holds_the_active_macros(
    api: httpx.AsyncClient, db: Database, desk: Desk
) -> None:
    shown = await macro(db, name="B macro", changes={"status": "On-Hold"})
    await macro(db, name="A retired", active=False)
    response = await api.get(MACROS, headers=key(desk.manager_key))
    assert response.status_code == 200, response.text
    [found] = response.json()["macros"]
    assert (found["id"], found["name"], found["changes"]) == (
        shown,
        "B macro",
        {"status": "On-Hold"},
    )
    for api_key in (desk.client_key, desk.reader_key):
        assert_problem(await api.get(MACROS, headers=key(api_key)), 403, "forbidden")


async def test_a_preview_renders_and_changes_nothing(
    api: httpx.AsyncClient, db: Database, desk: Desk
) -> None:
    macro_id = await macro(db, changes={"status": "on_hold", "addTags": ["waiting"]})
    before = await conversation_builders.ticket_row(db, NUMBER)
    response = await api.post(
        apply_url(desk), json={"macroId": macro_id, "preview": True}, headers=key(desk.manager_key)
    )
    assert response.status_code == 200, response.text
    outcome = response.json()
    assert outcome["preview"] is True
    assert outcome["reply"] == f"Hi Ada, about #{NUMBER}: Grace"
    assert outcome["changes"] == {
        "status": {"from": "Open", "to": "On-Hold"},
        "tags": {"from": ["billing"], "to": ["billing", "waiting"]},
    }
    assert outcome["ticket"]["messages"] == []
    assert await conversation_builders.ticket_row(db, NUMBER) == before
    assert await events(db, desk.ticket_id) == []


async def test_applying_posts_the_reply_then_makes_the_changes(
    api: httpx.AsyncClient, db: Database, desk: Desk
) -> None:
    macro_id = await macro(
        db, body="Dear {{client.name}}, {{unknown.field}} stays.", changes={"status": "On-Hold"}
    )
    response = await api.post(
        apply_url(desk), json={"macroId": macro_id}, headers=key(desk.manager_key)
    )
    assert response.status_code == 200, response.text
    ticket = response.json()["ticket"]
    assert [m["body"] for m in ticket["messages"]] == [
        "Dear Ada Lovelace, {{unknown.field}} stays."
    ]
    assert ticket["messages"][0]["sender"] == "staff"
    assert ticket["desk"]["statusName"] == "On-Hold"  # not the reply's Answered
    kinds = [e["kind"] for e in await events(db, desk.ticket_id)]
    assert kinds == ["replied", "macro_applied"]


async def test_refusals(api: httpx.AsyncClient, db: Database, desk: Desk) -> None:
    retired = await macro(db, active=False)
    assert_invalid(
        await api.post(apply_url(desk), json={"macroId": retired}, headers=key(desk.manager_key)),
        "/macroId",
    )
    broken = await macro(db, name="Broken", changes={"colour": "red"})
    conflict = await api.post(
        apply_url(desk), json={"macroId": broken}, headers=key(desk.manager_key)
    )
    assert_problem(conflict, 409, "conflict")
    client = await api.post(
        apply_url(desk), json={"macroId": retired}, headers=key(desk.client_key)
    )
    assert_problem(client, 403, "forbidden")
