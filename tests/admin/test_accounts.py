"""`/api/v2/admin/client-groups`, `clients`, their `services`, and `keys`."""

from __future__ import annotations

import httpx

from supportdesk.core.db import Database
from supportdesk.keys import tokens
from supportdesk.tickets import versions
from tests import builders
from tests.admin.conftest import Admin
from tests.api.v2.assertions import assert_problem

ADMIN = "/api/v2/admin"


async def _generation(db: Database) -> int:
    async with db.transaction() as session:
        return await versions.generation(session)


async def test_groups_are_added_renamed_and_unique(
    api: httpx.AsyncClient, db: Database, admin: Admin
) -> None:
    created = await api.post(f"{ADMIN}/client-groups", headers=admin.headers, json={"name": "VIP"})
    assert created.status_code == 201, created.text
    duplicate = await api.post(
        f"{ADMIN}/client-groups", headers=admin.headers, json={"name": "gold"}
    )
    assert_problem(duplicate, 409, "conflict")
    before = await _generation(db)
    renamed = await api.patch(
        f"{ADMIN}/client-groups/{admin.world.group_id}",
        headers=admin.headers,
        json={"name": "Platinum"},
    )
    assert renamed.json() == {"id": admin.world.group_id, "name": "Platinum"}
    assert await _generation(db) == before + 1
    listed = await api.get(f"{ADMIN}/client-groups", headers=admin.headers)
    assert [g["name"] for g in listed.json()["data"]] == ["Platinum", "VIP"]


async def test_clients_are_found_by_text_and_status(api: httpx.AsyncClient, admin: Admin) -> None:
    body = {
        "firstname": "Linus",
        "lastname": "Torvalds",
        "company": "Kernel_Works 100%",
        "email": "linus@example.org",
        "groupId": admin.world.group_id,
    }
    created = await api.post(f"{ADMIN}/clients", headers=admin.headers, json=body)
    assert created.status_code == 201, created.text
    client = created.json()
    assert client == {
        "id": client["id"],
        **body,
        "status": "Active",
        "createdAt": client["createdAt"],
    }
    for q in ("linus TORVALDS", "kernel_works 100%", "EXAMPLE.ORG"):
        found = await api.get(f"{ADMIN}/clients", headers=admin.headers, params={"q": q})
        assert [c["id"] for c in found.json()["data"]] == [client["id"]], q
    wildcard = await api.get(f"{ADMIN}/clients", headers=admin.headers, params={"q": "%"})
    assert [c["id"] for c in wildcard.json()["data"]] == [client["id"]], "% is text, not a wildcard"
    suspended = await api.get(
        f"{ADMIN}/clients", headers=admin.headers, params={"status": "Suspended"}
    )
    assert [c["id"] for c in suspended.json()["data"]] == [admin.world.suspended_client_id]
    first = await api.get(f"{ADMIN}/clients", headers=admin.headers, params={"limit": 3})
    rest = await api.get(
        f"{ADMIN}/clients", headers=admin.headers, params={"cursor": first.json()["nextCursor"]}
    )
    ids = [c["id"] for c in first.json()["data"] + rest.json()["data"]]
    assert ids == sorted(ids)
    assert len(ids) == 4


async def test_a_duplicate_address_is_409_and_an_unknown_group_400(
    api: httpx.AsyncClient, admin: Admin
) -> None:
    body = {"firstname": "A", "lastname": "B", "email": "ADA@example.com"}
    assert_problem(
        await api.post(f"{ADMIN}/clients", headers=admin.headers, json=body), 409, "conflict"
    )
    unknown = await api.post(
        f"{ADMIN}/clients", headers=admin.headers, json={**body, "email": "x@y.z", "groupId": 99999}
    )
    body_ = assert_problem(unknown, 400, "invalid_request")
    assert body_["errors"][0]["pointer"] == "/groupId"


async def test_suspending_a_client_stops_its_keys(api: httpx.AsyncClient, admin: Admin) -> None:
    tickets = "/api/v2/support/tickets"
    client_key = {"X-API-Key": admin.world.client_key}
    assert (await api.get(tickets, headers=client_key)).status_code == 200
    path = f"{ADMIN}/clients/{admin.world.client_id}"
    changed = await api.patch(
        path, headers=admin.headers, json={"status": "Suspended", "groupId": None}
    )
    assert changed.json()["status"] == "Suspended"
    assert changed.json()["groupId"] is None
    assert_problem(await api.get(tickets, headers=client_key), 403, "forbidden")
    assert (await api.get(path, headers=admin.headers)).json() == changed.json()


async def test_services_are_kept_current(
    api: httpx.AsyncClient, db: Database, admin: Admin
) -> None:
    path = f"{ADMIN}/clients/{admin.world.client_id}/services"
    body = {"type": "vps", "name": "VPS Large", "nextDue": "2027-01-31", "hostname": "vps1.example"}
    created = await api.post(path, headers=admin.headers, json=body)
    assert created.status_code == 201, created.text
    service = created.json()
    assert service == {
        "id": service["id"],
        "clientId": admin.world.client_id,
        **body,
        "status": "Active",
    }
    before = await _generation(db)
    changed = await api.patch(
        f"{ADMIN}/services/{service['id']}",
        headers=admin.headers,
        json={"status": "Suspended", "nextDue": None},
    )
    assert changed.json()["status"] == "Suspended"
    assert changed.json()["nextDue"] is None
    assert await _generation(db) == before + 1
    listed = await api.get(path, headers=admin.headers)
    assert listed.json()["data"] == [changed.json()]
    impossible = await api.post(path, headers=admin.headers, json={**body, "nextDue": "2027-02-30"})
    assert assert_problem(impossible, 400, "invalid_request")["errors"][0]["pointer"] == "/nextDue"
    nobody = await api.post(f"{ADMIN}/clients/999999/services", headers=admin.headers, json=body)
    assert_problem(nobody, 404, "not_found")


async def test_keys_are_issued_once_listed_without_secrets_and_revoked(
    api: httpx.AsyncClient, admin: Admin
) -> None:
    issued = await api.post(
        f"{ADMIN}/keys",
        headers=admin.headers,
        json={"staffId": admin.world.owner_id, "scopes": ["read:support", "manage:support"]},
    )
    assert issued.status_code == 201, issued.text
    key = issued.json()["key"]
    assert tokens.is_well_formed(key)
    assert issued.json()["owner"] == {"type": "staff", "id": admin.world.owner_id}
    assert issued.json()["state"] == "active"
    listed = await api.get(f"{ADMIN}/keys", headers=admin.headers)
    assert key not in listed.text
    assert admin.key not in listed.text
    mine = next(k for k in listed.json()["data"] if k["id"] == issued.json()["id"])
    assert mine["hint"] == key[: len(mine["hint"])]
    assert (await api.get("/api/v2/support/tickets", headers={"X-API-Key": key})).status_code == 200
    revoked = await api.delete(f"{ADMIN}/keys/{mine['id']}", headers=admin.headers)
    assert revoked.json()["state"] == "revoked"
    gone = await api.get("/api/v2/support/tickets", headers={"X-API-Key": key})
    assert_problem(gone, 401, "unauthorized")
    itself = await api.delete(f"{ADMIN}/keys/{admin.key_id}", headers=admin.headers)
    assert_problem(itself, 409, "conflict")
    assert_problem(
        await api.delete(f"{ADMIN}/keys/999999", headers=admin.headers), 404, "not_found"
    )


async def test_a_client_key_cannot_carry_the_staff_scopes(
    api: httpx.AsyncClient, db: Database, admin: Admin
) -> None:
    refused = await api.post(
        f"{ADMIN}/keys",
        headers=admin.headers,
        json={"clientId": admin.world.client_id, "scopes": ["admin:support"]},
    )
    assert_problem(refused, 400, "invalid_request")
    both = await api.post(
        f"{ADMIN}/keys",
        headers=admin.headers,
        json={
            "clientId": admin.world.client_id,
            "staffId": admin.world.staff_id,
            "scopes": ["read:support"],
        },
    )
    assert_problem(both, 400, "invalid_request")
    _, plain_staff = await builders.api_key(db, staff_id=admin.world.staff_id)
    assert_problem(
        await api.get(f"{ADMIN}/keys", headers={"X-API-Key": plain_staff}), 403, "forbidden"
    )


async def test_a_duplicate_beyond_ascii_is_409_not_500(
    api: httpx.AsyncClient, admin: Admin
) -> None:
    """SQLite's lower() folds ASCII only: the uniqueness check lowers both sides in SQL."""
    groups = f"{ADMIN}/client-groups"
    first = await api.post(groups, headers=admin.headers, json={"name": "Ærende Ä"})
    assert first.status_code == 201, first.text
    again = await api.post(groups, headers=admin.headers, json={"name": "Ærende Ä"})
    assert_problem(again, 409, "conflict")
    client = {"firstname": "Å", "lastname": "Ö", "email": "Åsa@exämple.se"}
    assert (
        await api.post(f"{ADMIN}/clients", headers=admin.headers, json=client)
    ).status_code == 201
    twice = await api.post(f"{ADMIN}/clients", headers=admin.headers, json=client)
    assert_problem(twice, 409, "conflict")
