"""The breach job on real tickets: each trigger breaches once (twice run, or two processes at
once), a public staff reply lifts a response breach, a note or a draft does not; On-Hold."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from supportdesk.admin import departments
from supportdesk.admin import sla as policies
from supportdesk.api.deps import state_of
from supportdesk.core.db import Database
from supportdesk.core.errors import Conflict
from supportdesk.sla.models import SlaPause, SlaPending
from supportdesk.tickets import desk, notes
from supportdesk.tickets.conversation import ReplyOptions
from supportdesk.tickets.records import TicketEdit
from tests.sla.conftest import (
    Scene,
    add_policy,
    breach_rows,
    open_ticket,
    post,
    run_job,
    sla_events,
    ticket_of,
)
from tests.support import AppFactory

HOUR = timedelta(hours=1)


async def set_status(db: Database, scene: Scene, number: int, status: str) -> None:
    async with db.transaction() as session:
        await desk.edit_ticket(
            session, scene.staff, number, TicketEdit(given=frozenset({"status"}), status=status)
        )


class TestFirstResponse:
    async def test_breaches_once_with_its_effects_and_event(
        self, db: Database, scene: Scene
    ) -> None:
        policy_id = await add_policy(
            db,
            scene,
            name="Gold first answer",
            level=2,
            hours=1.0,
            raise_priority="urgent",
            assign_to_id=scene.world.owner_id,
        )
        number = await open_ticket(db, scene)
        assert await run_job(db, 0.5 * HOUR) == 0
        assert await run_job(db, 2 * HOUR) == 1
        assert await run_job(db, 3 * HOUR) == 0
        ticket = await ticket_of(db, number)
        assert (ticket["escalated"], ticket["sla_id"]) == (2, policy_id)
        assert (ticket["priority"], ticket["owner_id"]) == ("urgent", scene.world.owner_id)
        assert await breach_rows(db) == [(f"sla:{ticket['id']}:{policy_id}:0", 2)]
        [(kind, changes, actor)] = await sla_events(db, ticket["id"])
        assert (kind, actor) == ("sla_breached", "system")
        assert changes["escalated"] == {"from": 0, "to": 2}
        assert changes["slaPolicy"] == {"from": None, "to": policy_id}
        assert changes["priority"] == {"from": "medium", "to": "urgent"}
        assert changes["owner"] == {"from": None, "to": scene.world.owner_id}
        described = changes["sla"]["to"]
        assert {k: described[k] for k in ("policyId", "name", "level", "trigger")} == {
            "policyId": policy_id,
            "name": "Gold first answer",
            "level": 2,
            "trigger": "first_response",
        }

    async def test_two_processes_at_once_breach_once(
        self, db: Database, scene: Scene, make_app: AppFactory
    ) -> None:
        await add_policy(db, scene, hours=1.0)
        await add_policy(db, scene, level=2, hours=2.0, trigger="resolution")
        numbers = [await open_ticket(db, scene) for _ in range(3)]
        other = state_of(make_app()).db
        made = await asyncio.gather(
            run_job(db, 3 * HOUR), run_job(other, 3 * HOUR), run_job(db, 3 * HOUR)
        )
        assert sum(made) == 6
        assert len(await breach_rows(db)) == 6
        for number in numbers:
            ticket = await ticket_of(db, number)
            assert (ticket["escalated"], len(await sla_events(db, ticket["id"]))) == (2, 2)

    async def test_a_staff_reply_in_time_means_no_breach(self, db: Database, scene: Scene) -> None:
        await add_policy(db, scene, hours=1.0)
        number = await open_ticket(db, scene)
        await post(db, scene.staff, number, "Looking at it.")
        assert await run_job(db, 2 * HOUR) == 0
        assert await breach_rows(db) == []


class TestDeescalation:
    async def test_a_note_or_a_draft_does_not_lift_a_breach_a_public_reply_does(
        self, db: Database, scene: Scene
    ) -> None:
        policy_id = await add_policy(db, scene, hours=1.0)
        number = await open_ticket(db, scene)
        assert await run_job(db, 2 * HOUR) == 1
        async with db.transaction() as session:
            await notes.add_note(session, scene.staff, number, "Customer is on the Gold plan.")
        await post(db, scene.staff, number, "Draft answer", ReplyOptions(draft=True))
        ticket = await ticket_of(db, number)
        assert (ticket["escalated"], ticket["sla_id"]) == (1, policy_id)
        await post(db, scene.staff, number, "Freed 20 GB for you.")
        ticket = await ticket_of(db, number)
        assert (ticket["escalated"], ticket["sla_id"]) == (0, None)
        kinds = [(kind, changes) for kind, changes, _ in await sla_events(db, ticket["id"])]
        assert kinds[-1] == (
            "sla_deescalated",
            {"escalated": {"from": 1, "to": 0}, "slaPolicy": {"from": policy_id, "to": None}},
        )
        assert await run_job(db, 5 * HOUR) == 0

    async def test_next_response_breaches_once_per_client_message(
        self, db: Database, scene: Scene
    ) -> None:
        await add_policy(db, scene, hours=1.0, trigger="next_response")
        resolution = await add_policy(db, scene, level=3, hours=100.0, trigger="resolution")
        number = await open_ticket(db, scene)
        await post(db, scene.staff, number, "Which server?")
        await post(db, scene.client, number, "vps-12")
        assert await run_job(db, 2 * HOUR) == 1
        assert await run_job(db, 2 * HOUR) == 0
        await post(db, scene.staff, number, "Done.")
        assert (await ticket_of(db, number))["escalated"] == 0
        await post(db, scene.client, number, "It is full again.")
        await post(db, scene.client, number, "Hello?")
        assert await run_job(db, 2 * HOUR) == 1  # one breach for the oldest unanswered
        keys = [key for key, _ in await breach_rows(db)]
        assert len(keys) == len(set(keys)) == 2
        # A resolution breach stands through staff replies.
        assert await run_job(db, 101 * HOUR) == 1
        await post(db, scene.staff, number, "Fixed for good.")
        ticket = await ticket_of(db, number)
        assert (ticket["escalated"], ticket["sla_id"]) == (3, resolution)


class TestPause:
    async def test_on_hold_stops_the_clock_and_extends_resolve_date(
        self, db: Database, scene: Scene
    ) -> None:
        await add_policy(db, scene, hours=1.0, trigger="resolution")
        number = await open_ticket(db, scene)
        due = (await ticket_of(db, number))["resolve_date"]
        assert due is not None
        await set_status(db, scene, number, "On-Hold")
        assert await run_job(db, 5 * HOUR) == 0
        ticket_id = (await ticket_of(db, number))["id"]
        async with db.transaction() as session:
            pauses = (
                await session.execute(
                    select(SlaPause.status_name, SlaPause.started_at, SlaPause.ended_at).where(
                        SlaPause.ticket_id == ticket_id
                    )
                )
            ).all()
        assert [(row[0], row[2]) for row in pauses] == [("On-Hold", None)]
        await set_status(db, scene, number, "In-Progress")
        extended = (await ticket_of(db, number))["resolve_date"]
        async with db.transaction() as session:
            row: Any = (
                await session.execute(
                    select(SlaPause.started_at, SlaPause.ended_at).where(
                        SlaPause.ticket_id == ticket_id
                    )
                )
            ).one()
        assert extended - due == row[1] - row[0] > timedelta(0)
        assert await run_job(db, 2 * HOUR) == 1


class TestPolicyChanges:
    async def test_an_edited_policy_applies_to_tickets_already_open(
        self, db: Database, scene: Scene
    ) -> None:
        policy_id = await add_policy(db, scene, hours=100.0)
        number = await open_ticket(db, scene)
        assert await run_job(db, 2 * HOUR) == 0
        async with db.transaction() as session:
            await policies.update_policy(session, scene.admin, policy_id, {"hours": 1.0})
        assert await run_job(db, 2 * HOUR) == 1
        assert (await ticket_of(db, number))["escalated"] == 1

    async def test_a_policy_breached_under_is_not_deleted(self, db: Database, scene: Scene) -> None:
        policy_id = await add_policy(db, scene, hours=1.0)
        number = await open_ticket(db, scene)
        assert await run_job(db, 2 * HOUR) == 1
        await post(db, scene.staff, number, "Sorry for the wait.")  # de-escalates: sla_id cleared
        with pytest.raises(Conflict, match="1 breaches happened"):
            async with db.transaction() as session:
                await policies.delete_policy(session, scene.admin, policy_id)
        unused = await add_policy(db, scene, hours=50.0)
        async with db.transaction() as session:
            await policies.delete_policy(session, scene.admin, unused)  # its clocks go with it
        assert await run_job(db, 60 * HOUR) == 0

    async def test_changed_business_hours_mark_the_departments_open_tickets(
        self, db: Database, scene: Scene
    ) -> None:
        await add_policy(db, scene, hours=1.0, business_hours=True)
        open_number = await open_ticket(db, scene)
        closed_number = await open_ticket(db, scene)
        await set_status(db, scene, closed_number, "Closed")
        assert await pending_ids(db) == []
        week = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
        schedule = {"timezone": "Europe/Stockholm", "week": week, "holidays": []}
        async with db.transaction() as session:
            await departments.update_department(
                session, scene.admin, scene.dept_id, {"business_hours": schedule}
            )
        assert await pending_ids(db) == [(await ticket_of(db, open_number))["id"]]
        await run_job(db, timedelta(0))
        assert await pending_ids(db) == []


async def pending_ids(db: Database) -> list[int]:
    async with db.transaction() as session:
        rows = await session.execute(select(SlaPending.ticket_id).order_by(SlaPending.ticket_id))
        return [int(row[0]) for row in rows]
