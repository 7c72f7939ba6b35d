"""`GET /api/v2/support/tickets/{id}/sla`: the refusals every staff route gives (401, 403 for a
client key or a key without `read:support`, one 404 for unknown and malformed ids), and the
due dates explained."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import insert

from supportdesk.admin import hours
from supportdesk.core.db import Database
from supportdesk.core.scopes import MANAGE_SUPPORT, READ_SUPPORT
from supportdesk.sla.models import SlaPause
from tests import builders, conversation_builders
from tests.api.v2.assertions import assert_problem, assert_rate_limited_problem, comparable, key
from tests.sla.conftest import Scene, add_policy, open_ticket, run_job
from tests.sla.test_clock import OFFICE

OPENED = datetime(2026, 3, 27, 15, tzinfo=UTC)  # Friday 16:00 in Stockholm
NUMBER = 271828
HOUR = timedelta(hours=1)


async def _ticket(db: Database, scene: Scene) -> str:
    stored = hours.to_text(
        {"timezone": "Europe/Stockholm", "week": OFFICE, "holidays": ["2026-03-30"]}
    )
    await conversation_builders.set_department(db, scene.dept_id, business_hours=stored)
    built = await builders.ticket(
        db, number=NUMBER, dept_id=scene.dept_id, client_id=scene.world.client_id, created_at=OPENED
    )
    await builders.reply(db, built.id, created_at=OPENED + timedelta(minutes=30))
    async with db.transaction() as session:
        await session.execute(
            insert(SlaPause).values(
                ticket_id=built.id,
                status_name="On-Hold",
                started_at=datetime(2026, 3, 31, 7, tzinfo=UTC),
                ended_at=datetime(2026, 3, 31, 8, tzinfo=UTC),
            )
        )
    return await conversation_builders.public_id_of(db, built.id)


def url(ref: str | int) -> str:
    return f"/api/v2/support/tickets/{ref}/sla"


class TestTicketSla:
    async def test_accept_and_rate_limit(
        self, api: httpx.AsyncClient, db: Database, scene: Scene
    ) -> None:
        ref = await _ticket(db, scene)
        staff = key(scene.world.staff_key)
        refused = await api.get(url(ref), headers={**staff, "Accept": "text/html"})
        assert_problem(refused, 406, "not_acceptable")
        _, once = await builders.api_key(
            db, staff_id=scene.world.staff_id, scopes=(READ_SUPPORT,), rate_limit_per_minute=1
        )
        assert (await api.get(url(ref), headers=key(once))).status_code == 200
        assert_rate_limited_problem(await api.get(url(ref), headers=key(once)))

    async def test_refusals(self, api: httpx.AsyncClient, db: Database, scene: Scene) -> None:
        ref = await _ticket(db, scene)
        assert_problem(await api.get(url(ref)), 401, "unauthorized")
        assert_problem(await api.get(url(ref), headers=key("sd_live_nope")), 401, "unauthorized")
        without_read = await builders.api_key(
            db, staff_id=scene.world.staff_id, scopes=(MANAGE_SUPPORT,)
        )
        for refused in (
            scene.world.client_key,  # the ticket's own client: the route is staff's
            scene.world.other_client_key,
            without_read[1],
        ):
            assert_problem(await api.get(url(ref), headers=key(refused)), 403, "forbidden")
        staff = key(scene.world.staff_key)
        missing = await api.get(url("tkt_" + "0" * 26), headers=staff)
        assert_problem(missing, 404, "not_found")
        for other in ("999999", "not-a-ticket"):
            found = await api.get(url(other), headers=staff)
            assert_problem(found, 404, "not_found")
            assert comparable(found) == comparable(missing)

    async def test_each_policy_with_its_due_time_explained(
        self, api: httpx.AsyncClient, db: Database, scene: Scene
    ) -> None:
        # The ticket was there before its department had policies: adding them marks it.
        ref = await _ticket(db, scene)
        first = await add_policy(db, scene, name="First answer", hours=1.0)
        resolution = await add_policy(
            db,
            scene,
            name="Fixed in 4 working hours",
            level=2,
            hours=4.0,
            trigger="resolution",
            business_hours=True,
        )
        answer = await api.get(url(NUMBER), headers=key(scene.world.staff_key))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["ticketId"] == ref
        by_id = {item["policyId"]: item for item in body["policies"]}
        assert list(by_id) == [first, resolution]
        assert by_id[first] | {"explanation": []} == {
            "policyId": first,
            "name": "First answer",
            "level": 1,
            "trigger": "first_response",
            "hours": 1.0,
            "businessHours": False,
            "state": "met",
            "occurrence": 0,
            "startedAt": "2026-03-27T15:00:00.000Z",
            "dueAt": "2026-03-27T16:00:00.000Z",
            "stoppedAt": "2026-03-27T15:30:00.000Z",
            "pausedSeconds": 0.0,
            "breached": False,
            "breachedAt": None,
            "explanation": [],
        }
        fixed = by_id[resolution]
        assert (fixed["state"], fixed["dueAt"], fixed["pausedSeconds"]) == (
            "running",
            "2026-03-31T11:00:00.000Z",
            3600.0,
        )
        assert fixed["explanation"][0] == "started 2026-03-27T15:00:00.000Z at ticket opening"
        assert "holidays skipped: 2026-03-30" in fixed["explanation"]
        assert fixed["explanation"][-1] == "due 2026-03-31T11:00:00.000Z"
        # The job evaluates the ticket the new policies marked, and breaches it (long after
        # the due time) once; the route says so.
        assert await run_job(db, timedelta(0)) == 1
        assert await run_job(db, timedelta(0)) == 0
        again = (await api.get(url(ref), headers=key(scene.world.staff_key))).json()
        breached = {item["policyId"]: item for item in again["policies"]}[resolution]
        assert breached["breached"] is True
        assert breached["breachedAt"] is not None
        assert breached["explanation"][-1].startswith("breached ")

    async def test_the_staff_view_follows_a_breach_and_its_lifting(
        self, api: httpx.AsyncClient, db: Database, scene: Scene
    ) -> None:
        policy_id = await add_policy(db, scene, hours=1.0)
        number = await open_ticket(db, scene)
        detail = f"/api/v2/support/tickets/{number}"
        staff = key(scene.world.staff_key)
        before = await api.get(detail, headers=staff)
        assert before.json()["desk"]["escalationLevel"] == 0
        assert await run_job(db, 2 * HOUR) == 1
        after = await api.get(detail, headers=staff)
        assert after.headers["etag"] != before.headers["etag"]
        desk = after.json()["desk"]
        assert (desk["escalationLevel"], desk["slaPolicyId"]) == (1, policy_id)
        replied = await api.post(f"{detail}/messages", json={"message": "On it."}, headers=staff)
        assert replied.status_code == 201, replied.text
        lifted = (await api.get(detail, headers=staff)).json()["desk"]
        assert (lifted["escalationLevel"], lifted["slaPolicyId"]) == (0, None)
