"""`/api/v2/admin/departments`, `statuses`, `sla-policies`, `macros`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from supportdesk.core.db import Database
from supportdesk.tickets import versions
from tests import builders
from tests.admin.conftest import Admin
from tests.api.v2.assertions import assert_problem

ADMIN = "/api/v2/admin"
HOURS = {
    "timezone": "Europe/Stockholm",
    "week": {"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "fri": [["09:00", "15:00"]]},
    "holidays": ["2026-12-25", "2026-12-24"],
}


async def _generation(db: Database) -> int:
    async with db.transaction() as session:
        return await versions.generation(session)


def _pointer(response: httpx.Response) -> str:
    return str(assert_problem(response, 400, "invalid_request")["errors"][0]["pointer"])


# --- departments --------------------------------------------------------------------------------


async def test_a_department_with_staff_hours_and_auto_close(
    api: httpx.AsyncClient, admin: Admin
) -> None:
    body = {
        "slug": "billing",
        "name": "Billing",
        "email": "billing@hostup.example",
        "visible": False,
        "staffIds": [admin.world.staff_id, admin.world.owner_id],
        "autoCloseHours": 0.001,
        "clientMayReopen": False,
        "businessHours": HOURS,
    }
    created = await api.post(f"{ADMIN}/departments", headers=admin.headers, json=body)
    assert created.status_code == 201, created.text
    department = created.json()
    assert department["staffIds"] == sorted([admin.world.staff_id, admin.world.owner_id])
    assert department["autoCloseHours"] == 0.001
    assert department["clientMayReopen"] is False
    assert department["visible"] is False
    stored = department["businessHours"]
    assert stored["holidays"] == ["2026-12-24", "2026-12-25"]
    assert stored["week"]["mon"] == [["09:00", "12:00"], ["13:00", "17:00"]]
    assert stored["week"]["sun"] == []
    listed = await api.get(f"{ADMIN}/departments", headers=admin.headers)
    assert department in listed.json()["data"]
    cleared = await api.patch(
        f"{ADMIN}/departments/{department['id']}",
        headers=admin.headers,
        json={"businessHours": None, "staffIds": []},
    )
    assert cleared.json()["businessHours"] is None
    assert cleared.json()["staffIds"] == []


@pytest.mark.parametrize(
    ("hours", "why"),
    [
        ({**HOURS, "timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({**HOURS, "week": {"mon": [["17:00", "09:00"]]}}, "ends after it starts"),
        ({**HOURS, "week": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "overlap"),
        ({**HOURS, "week": {}}, "no working hours"),
        ({**HOURS, "holidays": ["2026-02-30"]}, "date"),
        ({**HOURS, "week": {"mon": [["9:00", "17:00"]]}}, ""),
        ({**HOURS, "week": {"monday": [["09:00", "17:00"]]}}, ""),
    ],
)
async def test_business_hours_are_read_strictly(
    api: httpx.AsyncClient, admin: Admin, hours: dict[str, Any], why: str
) -> None:
    body = {"slug": "x", "name": "X", "businessHours": hours}
    response = await api.post(f"{ADMIN}/departments", headers=admin.headers, json=body)
    assert _pointer(response).startswith("/businessHours"), response.text
    assert why in response.text


async def test_auto_close_hours_are_bounded(api: httpx.AsyncClient, admin: Admin) -> None:
    for hours in (-1, 10**9, "2"):
        body = {"slug": "x", "name": "X", "autoCloseHours": hours}
        response = await api.post(f"{ADMIN}/departments", headers=admin.headers, json=body)
        assert _pointer(response) == "/autoCloseHours"


async def test_a_duplicate_slug_is_409(api: httpx.AsyncClient, admin: Admin) -> None:
    first = await api.post(
        f"{ADMIN}/departments", headers=admin.headers, json={"slug": "sales", "name": "Sales"}
    )
    assert first.status_code == 201
    again = await api.post(
        f"{ADMIN}/departments", headers=admin.headers, json={"slug": "sales", "name": "Again"}
    )
    assert_problem(again, 409, "conflict")


async def test_renaming_a_department_moves_the_generation_and_shows_on_tickets(
    api: httpx.AsyncClient, db: Database, admin: Admin
) -> None:
    await builders.ticket(
        db, number=616828, dept_id=admin.world.dept_id, client_id=admin.world.client_id
    )
    before = await _generation(db)
    renamed = await api.patch(
        f"{ADMIN}/departments/{admin.world.dept_id}",
        headers=admin.headers,
        json={"name": "Hosting Support"},
    )
    assert renamed.status_code == 200, renamed.text
    assert await _generation(db) > before
    ticket = await api.get(
        "/api/v2/support/tickets/616828", headers={"X-API-Key": admin.world.client_key}
    )
    assert ticket.json()["departmentName"] == "Hosting Support"


async def test_a_department_a_ticket_was_in_is_not_deleted(
    api: httpx.AsyncClient, db: Database, admin: Admin
) -> None:
    await builders.ticket(
        db, number=616828, dept_id=admin.world.dept_id, client_id=admin.world.client_id
    )
    path = f"{ADMIN}/departments/{admin.world.dept_id}"
    assert_problem(await api.delete(path, headers=admin.headers), 409, "conflict")
    await builders.sla_policy(db, admin.world.hidden_dept_id)
    unused = f"{ADMIN}/departments/{admin.world.hidden_dept_id}"
    deleted = await api.delete(unused, headers=admin.headers)
    assert deleted.status_code == 204, deleted.text
    assert_problem(await api.delete(unused, headers=admin.headers), 404, "not_found")
    policies = await api.get(f"{ADMIN}/sla-policies", headers=admin.headers)
    assert policies.json()["data"] == []


# --- statuses -----------------------------------------------------------------------------------


async def test_built_in_statuses_are_recoloured_not_renamed_or_deleted(
    api: httpx.AsyncClient, db: Database, admin: Admin
) -> None:
    listed = (await api.get(f"{ADMIN}/statuses", headers=admin.headers)).json()["data"]
    answered = next(s for s in listed if s["name"] == "Answered")
    assert answered["builtin"] is True
    assert answered["autoClose"] is True
    path = f"{ADMIN}/statuses/{answered['id']}"
    before = await _generation(db)
    recoloured = await api.patch(
        path, headers=admin.headers, json={"color": "00FF00", "autoClose": False}
    )
    assert recoloured.status_code == 200, recoloured.text
    assert recoloured.json()["color"] == "00ff00"
    assert recoloured.json()["autoClose"] is False
    assert await _generation(db) > before
    renamed = await api.patch(path, headers=admin.headers, json={"name": "Replied"})
    assert_problem(renamed, 409, "conflict")
    remapped = await api.patch(path, headers=admin.headers, json={"v2Status": "open"})
    assert_problem(remapped, 409, "conflict")
    same_name = await api.patch(path, headers=admin.headers, json={"name": "Answered"})
    assert same_name.status_code == 200
    assert_problem(await api.delete(path, headers=admin.headers), 409, "conflict")


async def test_a_custom_status_in_use_is_not_deleted(
    api: httpx.AsyncClient, db: Database, admin: Admin
) -> None:
    created = await api.post(
        f"{ADMIN}/statuses",
        headers=admin.headers,
        json={
            "name": "Waiting on vendor",
            "color": "123456",
            "pausesSla": True,
            "v2Status": "on_hold",
        },
    )
    assert created.status_code == 201, created.text
    status = created.json()
    assert status["pausesSla"] is True
    assert status["builtin"] is False
    await builders.ticket(
        db,
        number=616828,
        dept_id=admin.world.dept_id,
        client_id=admin.world.client_id,
        status="Waiting on vendor",
    )
    path = f"{ADMIN}/statuses/{status['id']}"
    assert_problem(await api.delete(path, headers=admin.headers), 409, "conflict")
    spare = await api.post(f"{ADMIN}/statuses", headers=admin.headers, json={"name": "Spare"})
    deleted = await api.delete(f"{ADMIN}/statuses/{spare.json()['id']}", headers=admin.headers)
    assert deleted.status_code == 204


async def test_status_names_are_unique_and_not_v2_values(
    api: httpx.AsyncClient, admin: Admin
) -> None:
    duplicate = await api.post(f"{ADMIN}/statuses", headers=admin.headers, json={"name": "on-hold"})
    assert_problem(duplicate, 409, "conflict")
    reserved = await api.post(f"{ADMIN}/statuses", headers=admin.headers, json={"name": "closed"})
    assert _pointer(reserved) == "/name"
    bad_color = await api.post(
        f"{ADMIN}/statuses", headers=admin.headers, json={"name": "X", "color": "#12345"}
    )
    assert _pointer(bad_color) == "/color"


# --- SLA policies -------------------------------------------------------------------------------


async def test_sla_policies_are_stored(api: httpx.AsyncClient, admin: Admin) -> None:
    body = {
        "departmentId": admin.world.dept_id,
        "name": "Urgent first answer",
        "level": 1,
        "trigger": "first_response",
        "hours": 0.5,
        "businessHours": True,
        "raisePriority": "high",
        "assignToId": admin.world.owner_id,
    }
    created = await api.post(f"{ADMIN}/sla-policies", headers=admin.headers, json=body)
    assert created.status_code == 201, created.text
    policy = created.json()
    assert policy == {"id": policy["id"], **body, "active": True}
    path = f"{ADMIN}/sla-policies/{policy['id']}"
    changed = await api.patch(
        path, headers=admin.headers, json={"active": False, "raisePriority": None}
    )
    assert changed.json()["active"] is False
    assert changed.json()["raisePriority"] is None
    listed = await api.get(
        f"{ADMIN}/sla-policies", headers=admin.headers, params={"departmentId": admin.world.dept_id}
    )
    assert [p["id"] for p in listed.json()["data"]] == [policy["id"]]
    assert (await api.delete(path, headers=admin.headers)).status_code == 204


async def test_sla_policy_refusals(api: httpx.AsyncClient, admin: Admin) -> None:
    base = {"departmentId": admin.world.dept_id, "level": 1, "hours": 4}
    for change, pointer in (
        ({"hours": 0}, "/hours"),
        ({"level": 0}, "/level"),
        ({"trigger": "whenever"}, "/trigger"),
        ({"departmentId": 999999}, "/departmentId"),
        ({"assignToId": 999999}, "/assignToId"),
        ({"raisePriority": "asap"}, "/raisePriority"),
    ):
        response = await api.post(
            f"{ADMIN}/sla-policies", headers=admin.headers, json={**base, **change}
        )
        assert _pointer(response) == pointer, response.text


# --- macros -------------------------------------------------------------------------------------


async def test_macros_hold_a_reply_and_changes(api: httpx.AsyncClient, admin: Admin) -> None:
    body = {
        "name": "Escalate to hosting",
        "body": "Hi {{client.firstname}}, we are on it.",
        "changes": {
            "status": "In-Progress",
            "priority": "high",
            "addTags": ["vip"],
            "ownerId": None,
        },
    }
    created = await api.post(f"{ADMIN}/macros", headers=admin.headers, json=body)
    assert created.status_code == 201, created.text
    macro = created.json()
    assert macro["changes"] == body["changes"]
    assert macro["active"] is True
    path = f"{ADMIN}/macros/{macro['id']}"
    changed = await api.patch(path, headers=admin.headers, json={"active": False})
    assert changed.json()["active"] is False
    duplicate = await api.post(
        f"{ADMIN}/macros", headers=admin.headers, json={"name": body["name"]}
    )
    assert_problem(duplicate, 409, "conflict")
    assert (await api.delete(path, headers=admin.headers)).status_code == 204


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"changes": {"colour": "red"}}, "/changes/colour"),
        ({"changes": {"status": "Nonexistent"}}, "/changes/status"),
        ({"changes": {"ownerId": 999999}}, "/changes/ownerId"),
        ({"changes": {"departmentSlug": "nowhere"}}, "/changes/departmentSlug"),
        ({"changes": {"tags": ["a"], "addTags": ["b"]}}, "/changes/tags"),
        ({"changes": {"priority": "asap"}}, "/changes/priority"),
        ({"changes": {"internal": "yes"}}, "/changes/internal"),
        ({"body": "Hi {{client.password}}"}, "/body"),
    ],
)
async def test_macro_changes_are_validated(
    api: httpx.AsyncClient, admin: Admin, body: dict[str, Any], pointer: str
) -> None:
    response = await api.post(f"{ADMIN}/macros", headers=admin.headers, json={"name": "M", **body})
    assert _pointer(response) == pointer, response.text
