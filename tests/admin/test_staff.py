"""`/api/v2/admin/staff`: add, list, change and deactivate staff members."""

from __future__ import annotations

import httpx

from supportdesk.core.db import Database
from supportdesk.tickets import versions
from tests import builders
from tests.admin.conftest import Admin
from tests.api.v2.assertions import assert_problem

STAFF = "/api/v2/admin/staff"
NEW = {
    "username": "mwhite",
    "firstname": "Meg",
    "lastname": "White",
    "email": "meg.white@hostup.example",
}


async def _generation(db: Database) -> int:
    async with db.transaction() as session:
        return await versions.generation(session)


async def test_add_then_get_and_list(api: httpx.AsyncClient, admin: Admin) -> None:
    dept = admin.world.dept_id
    created = await api.post(STAFF, headers=admin.headers, json={**NEW, "departmentIds": [dept]})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body == {
        "id": body["id"],
        **NEW,
        "status": "Active",
        "departmentIds": [dept],
        "signature": "",
        "admin": False,
    }
    fetched = await api.get(f"{STAFF}/{body['id']}", headers=admin.headers)
    assert fetched.json() == body
    listed = await api.get(STAFF, headers=admin.headers, params={"limit": 2})
    page = listed.json()
    assert [s["id"] for s in page["data"]] == [admin.world.owner_id, admin.world.staff_id]
    assert page["hasMore"] is True
    rest = await api.get(STAFF, headers=admin.headers, params={"cursor": page["nextCursor"]})
    assert [s["id"] for s in rest.json()["data"]] == [body["id"]]
    assert rest.json()["hasMore"] is False
    assert rest.json()["nextCursor"] is None


async def test_duplicates_are_409_and_unknown_departments_400(
    api: httpx.AsyncClient, admin: Admin
) -> None:
    taken = {**NEW, "username": "JDOE"}
    assert_problem(await api.post(STAFF, headers=admin.headers, json=taken), 409, "conflict")
    same_mail = {**NEW, "email": "John.Doe@hostup.example"}
    assert_problem(await api.post(STAFF, headers=admin.headers, json=same_mail), 409, "conflict")
    unknown = await api.post(STAFF, headers=admin.headers, json={**NEW, "departmentIds": [999]})
    body = assert_problem(unknown, 400, "invalid_request")
    assert body["errors"][0]["pointer"] == "/departmentIds"


async def test_a_bad_field_points_at_itself(api: httpx.AsyncClient, admin: Admin) -> None:
    response = await api.post(STAFF, headers=admin.headers, json={**NEW, "email": "nope"})
    assert assert_problem(response, 400, "invalid_request")["errors"][0]["pointer"] == "/email"
    nulled = await api.patch(
        f"{STAFF}/{admin.world.owner_id}", headers=admin.headers, json={"firstname": None}
    )
    assert assert_problem(nulled, 400, "invalid_request")["errors"][0]["pointer"] == "/firstname"


async def test_deactivating_stops_their_keys_and_moves_the_generation(
    api: httpx.AsyncClient, db: Database, admin: Admin
) -> None:
    _, owner_key = await builders.api_key(db, staff_id=admin.world.owner_id)
    tickets = "/api/v2/support/tickets"
    assert (await api.get(tickets, headers={"X-API-Key": owner_key})).status_code == 200
    before = await _generation(db)
    changed = await api.patch(
        f"{STAFF}/{admin.world.owner_id}",
        headers=admin.headers,
        json={"status": "Inactive", "lastname": "Dough"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "Inactive"
    assert changed.json()["lastname"] == "Dough"
    assert await _generation(db) == before + 1
    refused = await api.get(tickets, headers={"X-API-Key": owner_key})
    assert "not active" in assert_problem(refused, 403, "forbidden")["detail"]
    await api.patch(
        f"{STAFF}/{admin.world.owner_id}", headers=admin.headers, json={"status": "Active"}
    )
    assert (await api.get(tickets, headers={"X-API-Key": owner_key})).status_code == 200


async def test_nobody_deactivates_themself(api: httpx.AsyncClient, admin: Admin) -> None:
    response = await api.patch(
        f"{STAFF}/{admin.world.staff_id}", headers=admin.headers, json={"status": "Inactive"}
    )
    assert_problem(response, 409, "conflict")


async def test_keys_without_the_scope_are_403(
    api: httpx.AsyncClient, db: Database, admin: Admin
) -> None:
    _, manager = await builders.api_key(
        db, staff_id=admin.world.staff_id, scopes=("read:support", "manage:support")
    )
    for key in (admin.world.client_key, admin.world.staff_key, manager):
        listed = await api.get(STAFF, headers={"X-API-Key": key})
        assert_problem(listed, 403, "forbidden")
        created = await api.post(STAFF, headers={"X-API-Key": key}, json=NEW)
        assert_problem(created, 403, "forbidden")
    assert_problem(await api.get(STAFF), 401, "unauthorized")


async def test_unknown_staff_is_404(api: httpx.AsyncClient, admin: Admin) -> None:
    assert_problem(await api.get(f"{STAFF}/999999", headers=admin.headers), 404, "not_found")
    patched = await api.patch(f"{STAFF}/999999", headers=admin.headers, json={"admin": True})
    assert_problem(patched, 404, "not_found")
    tampered = await api.get(STAFF, headers=admin.headers, params={"cursor": "abc"})
    assert_problem(tampered, 400, "invalid_cursor")


async def test_null_is_refused_where_the_document_offers_none(
    api: httpx.AsyncClient, admin: Admin
) -> None:
    path = f"{STAFF}/{admin.world.owner_id}"
    for field in ("departmentIds", "admin", "status"):
        response = await api.patch(path, headers=admin.headers, json={field: None})
        body = assert_problem(response, 400, "invalid_request")
        assert body["errors"][0]["pointer"] == f"/{field}"
