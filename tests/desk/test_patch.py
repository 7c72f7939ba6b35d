"""`PATCH /api/v2/support/tickets/{id}`: each field, refusals with pointers, If-Match, events."""

from __future__ import annotations

import httpx
import pytest

from supportdesk.core.db import Database
from tests import builders, conversation_builders
from tests.api.v2.assertions import assert_invalid, assert_problem, assert_ticket_shape, key
from tests.desk.conftest import NUMBER, Desk, events

TICKETS = "/api/v2/support/tickets"


def url(desk: Desk) -> str:
    return f"{TICKETS}/{desk.ref}"


async def patch(
    api: httpx.AsyncClient, desk: Desk, body: object, api_key: str | None = None, **headers: str
) -> httpx.Response:
    return await api.patch(
        url(desk), json=body, headers={**key(api_key or desk.manager_key), **headers}
    )


class TestChanges:
    async def test_fields_change_and_one_event_names_only_what_changed(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        world = desk.cast.world
        body = {
            "status": "On-Hold",
            "priority": "high",  # was medium
            "ownerId": world.owner_id,
            "subject": "My VPS does not boot",  # unchanged
            "bccEmails": ["audit@hostup.example"],
            "addTags": ["VIP", "vps"],
            "deadline": "2026-12-24T12:00:00+01:00",
            "requestType": "Incident",
            "internal": False,  # unchanged
            "repliesLocked": True,
            "clientMayReopen": False,
            "subscriberIds": [world.staff_id],
        }
        response = await patch(api, desk, body)
        assert response.status_code == 200, response.text
        ticket = response.json()
        assert_ticket_shape(ticket, detail=True)
        assert ticket["status"] == "on_hold"
        assert ticket["priority"] == "high"
        staff = ticket["desk"]
        assert staff["statusName"] == "On-Hold"
        assert staff["ownerId"] == world.owner_id
        assert staff["owner"] == {"id": world.owner_id, "username": "jdoe", "name": "John Doe"}
        assert staff["bccEmails"] == ["audit@hostup.example"]
        assert staff["tags"] == ["billing", "vip", "vps"]
        assert staff["deadline"] == "2026-12-24T11:00:00.000Z"
        assert staff["requestType"] == "Incident"
        assert (staff["internal"], staff["repliesLocked"], staff["clientMayReopen"]) == (
            False,
            True,
            False,
        )
        assert staff["subscriberIds"] == [world.staff_id]
        [event] = [e for e in await events(db, desk.ticket_id) if e["kind"] == "updated"]
        assert event["actor_id"] == world.staff_id
        assert event["changes"] == {
            "status": {"from": "Open", "to": "On-Hold"},
            "priority": {"from": "medium", "to": "high"},
            "owner": {"from": None, "to": world.owner_id},
            "bcc": {"from": [], "to": ["audit@hostup.example"]},
            "tags": {"from": ["billing"], "to": ["billing", "vip", "vps"]},
            "deadline": {"from": None, "to": "2026-12-24T11:00:00.000Z"},
            "request_type": {"from": "General", "to": "Incident"},
            "replies_locked": {"from": False, "to": True},
            "client_may_reopen": {"from": True, "to": False},
            "subscribers": {"from": [], "to": [world.staff_id]},
        }
        row = await conversation_builders.ticket_row(db, NUMBER)
        assert row["flags"] == 512 | 4096
        assert row["version"] == 1

    async def test_a_patch_that_changes_nothing_writes_nothing(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        before = await conversation_builders.ticket_row(db, NUMBER)
        response = await patch(api, desk, {"status": "open", "tags": ["billing"], "ownerId": None})
        assert response.status_code == 200, response.text
        assert await events(db, desk.ticket_id) == []
        after = await conversation_builders.ticket_row(db, NUMBER)
        assert (after["updated_at"], after["version"]) == (before["updated_at"], before["version"])

    @pytest.mark.parametrize(
        ("status", "name", "v2"),
        [("on_hold", "On-Hold", "on_hold"), ("In-Progress", "In-Progress", "in_progress")],
    )
    async def test_status_by_name_or_v2_status(
        self, api: httpx.AsyncClient, desk: Desk, status: str, name: str, v2: str
    ) -> None:
        response = await patch(api, desk, {"status": status})
        assert response.status_code == 200, response.text
        assert (response.json()["status"], response.json()["desk"]["statusName"]) == (v2, name)

    async def test_a_custom_status(self, api: httpx.AsyncClient, db: Database, desk: Desk) -> None:
        await builders.custom_status(db, "Waiting on Vendor")
        response = await patch(api, desk, {"status": "Waiting on Vendor"})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "unknown"
        assert response.json()["desk"]["statusName"] == "Waiting on Vendor"

    async def test_a_move_keeps_the_first_department(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        hidden = desk.cast.hidden_dept_slug
        response = await patch(api, desk, {"departmentSlug": hidden})
        assert response.status_code == 200, response.text
        assert response.json()["departmentSlug"] == hidden
        v1 = await api.get(f"/api/support/tickets/{NUMBER}", headers=key(desk.manager_key))
        ticket = v1.json()["data"]["ticket"] if "data" in v1.json() else v1.json()["ticket"]
        assert ticket["deptname"] == "Abuse"
        assert ticket["org_deptname"] == "Technical Support"

    async def test_tags_replace_add_and_remove_normalised(
        self, api: httpx.AsyncClient, desk: Desk
    ) -> None:
        replaced = await patch(api, desk, {"tags": ["Domain", "dns:zone", "x_1.2-b", "domain"]})
        assert replaced.json()["desk"]["tags"] == ["dns:zone", "domain", "x_1.2-b"]
        edited = await patch(api, desk, {"addTags": ["new"], "removeTags": ["DOMAIN", "absent"]})
        assert edited.json()["desk"]["tags"] == ["dns:zone", "new", "x_1.2-b"]

    async def test_owner_null_unassigns_and_deadline_null_clears(
        self, api: httpx.AsyncClient, desk: Desk
    ) -> None:
        owner = desk.cast.world.owner_id
        await patch(api, desk, {"ownerId": owner, "deadline": "2026-12-24T12:00:00Z"})
        response = await patch(api, desk, {"ownerId": None, "deadline": None})
        assert (response.json()["desk"]["ownerId"], response.json()["desk"]["deadline"]) == (
            None,
            None,
        )

    async def test_the_answer_carries_the_details_etag(
        self, api: httpx.AsyncClient, desk: Desk
    ) -> None:
        await api.get(url(desk), headers=key(desk.manager_key))  # read: the marker is set
        response = await patch(api, desk, {"priority": "low"})
        shown = await api.get(url(desk), headers=key(desk.manager_key))
        assert response.headers["etag"] == shown.headers["etag"]
        assert response.json() == shown.json()


class TestRefusals:
    @pytest.mark.parametrize(
        ("body", "pointer"),
        [
            ({"status": "Resolved"}, "/status"),
            ({"status": "unknown"}, "/status"),
            ({"ownerId": 999_999}, "/ownerId"),
            ({"departmentSlug": "no-such-dept"}, "/departmentSlug"),
            ({"subscriberIds": [999_999]}, "/subscriberIds"),
            ({"tags": ["two words"]}, "/tags/0"),
            ({"addTags": ["ok", "x" * 65]}, "/addTags/1"),
            ({"removeTags": [""]}, "/removeTags/0"),
            ({"tags": ["a"], "addTags": ["b"]}, "/addTags"),
            ({"priority": "blocker"}, "/priority"),
            ({"requestType": "Chat"}, "/requestType"),
            ({"deadline": "2026-12-24"}, "/deadline"),
            ({"deadline": 1_800_000_000}, "/deadline"),
            ({"internal": "yes"}, "/internal"),
            ({"ccEmails": ["not an address"]}, "/ccEmails/0"),
            ({"subject": "  "}, "/subject"),
            ({"assignee": 1}, "/assignee"),
        ],
    )
    async def test_bad_fields_are_400_with_their_pointer_and_change_nothing(
        self,
        api: httpx.AsyncClient,
        db: Database,
        desk: Desk,
        body: dict[str, object],
        pointer: str,
    ) -> None:
        before = await conversation_builders.ticket_row(db, NUMBER)
        assert_invalid(await patch(api, desk, body), pointer)
        assert await conversation_builders.ticket_row(db, NUMBER) == before

    async def test_an_inactive_owner_is_refused(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        gone = await builders.staff(db, status="Inactive")
        assert_invalid(await patch(api, desk, {"ownerId": gone}), "/ownerId")

    async def test_a_client_key_and_a_staff_key_without_the_scope_are_403(
        self, api: httpx.AsyncClient, desk: Desk
    ) -> None:
        for api_key in (desk.client_key, desk.reader_key):
            assert_problem(await patch(api, desk, {"priority": "low"}, api_key), 403, "forbidden")
        broken = await api.patch(
            url(desk),
            content=b"{not json",
            headers={**key(desk.reader_key), "Content-Type": "application/json"},
        )
        assert_problem(broken, 403, "forbidden")

    async def test_no_key_401_unknown_ticket_404_not_json_415(
        self, api: httpx.AsyncClient, desk: Desk
    ) -> None:
        assert_problem(await api.patch(url(desk), json={}), 401, "unauthorized")
        unknown = await api.patch(
            f"{TICKETS}/999999", json={"priority": "low"}, headers=key(desk.manager_key)
        )
        assert_problem(unknown, 404, "not_found")
        text = await api.patch(url(desk), content=b"{}", headers=key(desk.manager_key))
        assert_problem(text, 415, "unsupported_media_type")


class TestIfMatch:
    async def test_the_current_etag_lets_the_change_through_a_stale_one_is_412(
        self, api: httpx.AsyncClient, db: Database, desk: Desk
    ) -> None:
        tag = (await api.get(url(desk), headers=key(desk.manager_key))).headers["etag"]
        first = await patch(api, desk, {"priority": "high"}, **{"If-Match": tag})
        assert first.status_code == 200, first.text
        stale = await patch(api, desk, {"priority": "low"}, **{"If-Match": tag})
        assert_problem(stale, 412, "precondition_failed")
        assert (await conversation_builders.ticket_row(db, NUMBER))["priority"] == "high"
        chained = await patch(api, desk, {"priority": "low"}, **{"If-Match": first.headers["etag"]})
        assert chained.status_code == 200, chained.text

    async def test_a_client_reply_makes_the_staff_etag_stale(
        self, api: httpx.AsyncClient, desk: Desk
    ) -> None:
        tag = (await api.get(url(desk), headers=key(desk.manager_key))).headers["etag"]
        replied = await api.post(
            f"{url(desk)}/messages", json={"message": "Any news?"}, headers=key(desk.client_key)
        )
        assert replied.status_code == 201, replied.text
        stale = await patch(api, desk, {"status": "In-Progress"}, **{"If-Match": tag})
        assert_problem(stale, 412, "precondition_failed")
        star = await patch(api, desk, {"status": "In-Progress"}, **{"If-Match": "*"})
        assert star.status_code == 200, star.text
