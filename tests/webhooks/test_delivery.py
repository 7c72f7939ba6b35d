"""Webhooks delivered to a real receiver, verified with the Standard Webhooks library: a
ticket's whole life in order, retries under the same webhook-id, giving up, deactivation."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from supportdesk.core.clock import utcnow
from supportdesk.core.db import Database
from supportdesk.webhooks.delivery import BACKOFF
from supportdesk.webhooks.models import WebhookDelivery
from supportdesk.webhooks.task import deliver_due
from tests.webhooks.conftest import HOOKS, Desk, context, deliver_everything, register
from tests.webhooks.receiver import Receiver

TICKETS = "/api/v2/support/tickets"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.url, response.text)
    return response.json()


async def open_ticket(api: httpx.AsyncClient, desk: Desk, subject: str = "Mail bounces") -> str:
    body = {"departmentSlug": desk.cast.dept_slug, "subject": subject, "message": "Help, please."}
    return str(ok(await api.post(TICKETS, headers=desk.client, json=body), 201)["id"])


async def test_a_tickets_whole_life_arrives_signed_and_in_order(
    api: httpx.AsyncClient, app: FastAPI, desk: Desk, receiver: Receiver
) -> None:
    await register(api, desk, receiver)
    ticket = await open_ticket(api, desk)
    other = await open_ticket(api, desk, "A second one")
    at = f"{TICKETS}/{ticket}"
    ok(await api.post(f"{at}/messages", headers=desk.staff, json={"message": "On it."}), 201)
    ok(await api.post(f"{at}/notes", headers=desk.staff, json={"body": "NOTE-canary"}), 201)
    ok(await api.patch(at, headers=desk.staff, json={"priority": "high", "tags": ["mail"]}))
    ok(await api.post(f"{at}/actions/close", headers=desk.staff))
    ok(await api.post(f"{at}/actions/reopen", headers=desk.staff))
    merge = {"intoTicketId": ticket}
    ok(await api.post(f"{TICKETS}/{other}/actions/merge", headers=desk.staff, json=merge))

    assert await deliver_everything(app) == 9
    arrivals = receiver.verified()
    assert len(arrivals) == len(receiver.arrivals) == 9  # every one verified by the library
    by_ticket: dict[str, list[str]] = {}
    for arrival in arrivals:
        body = arrival.json
        assert set(body) == {"type", "timestamp", "data"}
        by_ticket.setdefault(body["data"]["ticket"]["id"], []).append(body["type"])
    assert by_ticket[ticket] == [
        "ticket.created",
        "ticket.message.created",
        "ticket.note.created",
        "ticket.updated",
        "ticket.closed",
        "ticket.reopened",
        "ticket.updated",  # the other ticket merged into it
    ]
    assert by_ticket[other] == ["ticket.created", "ticket.merged"]
    assert len({arrival.id for arrival in arrivals}) == 9
    assert all(arrival.id.startswith("msg_") for arrival in arrivals)
    # The staff view: the note, the tags, what changed.
    [note] = [a.json["data"] for a in arrivals if a.json["type"] == "ticket.note.created"]
    assert note["note"]["body"] == "NOTE-canary"
    [update] = [a.json["data"] for a in arrivals if a.json["type"] == "ticket.updated"][:1]
    assert update["event"]["changes"]["priority"] == {"from": "medium", "to": "high"}
    assert update["ticket"]["desk"]["tags"] == ["mail"]
    [reply] = [a.json["data"] for a in arrivals if a.json["type"] == "ticket.message.created"]
    assert reply["message"]["body"] == "On it."
    assert "messages" not in reply["ticket"]  # bounded: the message added travels beside it


async def test_events_an_endpoint_did_not_ask_for_are_not_sent(
    api: httpx.AsyncClient, app: FastAPI, desk: Desk, receiver: Receiver
) -> None:
    await register(api, desk, receiver, events=["ticket.closed"])
    ticket = await open_ticket(api, desk)
    ok(await api.post(f"{TICKETS}/{ticket}/actions/close", headers=desk.staff))
    assert await deliver_everything(app) == 1
    assert [a.json["type"] for a in receiver.verified()] == ["ticket.closed"]


async def test_a_failed_attempt_is_retried_with_the_same_id_and_blocks_the_next_event(
    api: httpx.AsyncClient, app: FastAPI, desk: Desk, receiver: Receiver
) -> None:
    hook = await register(api, desk, receiver)
    receiver.statuses = [500, 503]
    ticket = await open_ticket(api, desk)
    ok(await api.post(f"{TICKETS}/{ticket}/actions/close", headers=desk.staff))
    now = utcnow()
    assert await deliver_everything(app, now) == 1  # created: 500; closed waits behind it
    assert await deliver_everything(app, now + BACKOFF[0] / 2) == 0
    assert await deliver_everything(app, now + BACKOFF[0]) == 1  # created again: 503
    later = now + BACKOFF[0] + BACKOFF[1]
    assert await deliver_everything(app, later) == 2  # created: 200, then closed
    arrivals = receiver.arrivals
    assert [a.answered for a in arrivals] == [500, 503, 200, 200]
    assert arrivals[0].id == arrivals[1].id == arrivals[2].id != arrivals[3].id
    assert arrivals[0].body == arrivals[2].body
    assert [a.json["type"] for a in arrivals[2:]] == ["ticket.created", "ticket.closed"]
    listed = ok(await api.get(f"{HOOKS}/{hook['id']}/deliveries", headers=desk.admin))
    created = listed["data"][-1]
    assert created["id"] == arrivals[0].id
    assert created["status"] == "delivered"
    assert created["attempts"] == 3
    assert [a["statusCode"] for a in created["attemptLog"]] == [500, 503, 200]
    assert created["attemptLog"][0]["error"] == "answered 500"
    health = ok(await api.get(f"{HOOKS}/{hook['id']}", headers=desk.admin))
    assert health["consecutiveFailures"] == 0
    assert health["active"] is True


async def test_a_delivery_that_never_succeeds_is_given_up_and_the_endpoint_deactivated(
    api: httpx.AsyncClient, app: FastAPI, db: Database, desk: Desk, receiver: Receiver
) -> None:
    hook = await register(api, desk, receiver)
    receiver.statuses = [500] * 20
    await open_ticket(api, desk)
    now = utcnow()
    for wait in (timedelta(0), *BACKOFF):
        now += wait
        assert await deliver_everything(app, now) == 1
    assert await deliver_everything(app, now + timedelta(days=30)) == 0
    assert len(receiver.arrivals) == len(BACKOFF) + 1 == 8
    async with db.transaction() as session:
        [status] = (await session.execute(select(WebhookDelivery.status))).scalars()
    assert status == "failed"
    shown = ok(await api.get(f"{HOOKS}/{hook['id']}", headers=desk.admin))
    assert shown["active"] is False  # failing for more than a day (28 h)
    assert shown["consecutiveFailures"] == 8
    assert shown["disabledReason"].startswith("Deactivated: every attempt failed since")
    # Nothing goes to a deactivated endpoint; turned on again, its failures are forgotten.
    receiver.statuses = []
    await open_ticket(api, desk)
    assert await deliver_everything(app) == 0
    again = ok(await api.patch(f"{HOOKS}/{hook['id']}", headers=desk.admin, json={"active": True}))
    assert again["consecutiveFailures"] == 0
    assert again["disabledReason"] is None
    await open_ticket(api, desk)
    assert await deliver_everything(app) == 1
    assert receiver.arrivals[-1].answered == 200


async def test_a_receiver_slower_than_the_time_out_is_a_failed_attempt(
    make_app: Any, desk: Desk, receiver: Receiver
) -> None:
    app = make_app(webhooks_allow_private=True, webhooks_timeout_seconds=0.3)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://testserver"
    ) as api:
        hook = await register(api, desk, receiver)
        receiver.delay_seconds = 1.0
        await open_ticket(api, desk)
        assert await deliver_due(context(app)) == 1
        listed = ok(await api.get(f"{HOOKS}/{hook['id']}/deliveries", headers=desk.admin))
    [delivery] = listed["data"]
    assert delivery["status"] == "pending"
    assert delivery["lastStatusCode"] is None
    assert delivery["lastError"] == "no answer within 0.3 s"


async def test_redeliver_sends_the_same_delivery_again(
    api: httpx.AsyncClient, app: FastAPI, desk: Desk, receiver: Receiver
) -> None:
    hook = await register(api, desk, receiver)
    await open_ticket(api, desk)
    assert await deliver_everything(app) == 1
    [delivery] = ok(await api.get(f"{HOOKS}/{hook['id']}/deliveries", headers=desk.admin))["data"]
    again = await api.post(
        f"{HOOKS}/{hook['id']}/deliveries/{delivery['id']}/redeliver", headers=desk.admin
    )
    assert ok(again, 202)["status"] == "pending"
    assert await deliver_everything(app) == 1
    first, second = receiver.verified()
    assert first.id == second.id == delivery["id"]
    assert first.body == second.body
    [shown] = ok(await api.get(f"{HOOKS}/{hook['id']}/deliveries", headers=desk.admin))["data"]
    assert shown["attempts"] == 2
    assert shown["status"] == "delivered"


async def test_a_lease_that_ran_out_is_taken_over_and_the_late_worker_writes_nothing(
    api: httpx.AsyncClient, app: FastAPI, db: Database, desk: Desk, receiver: Receiver
) -> None:
    from supportdesk.webhooks import repository

    await register(api, desk, receiver)
    await open_ticket(api, desk)
    now = utcnow()
    async with db.transaction() as session:
        [dead] = await repository.claim(session, "dead", now, now + timedelta(seconds=60), 10)
    assert await deliver_due(context(app, now)) == 0  # leased
    assert await deliver_due(context(app, now + timedelta(seconds=61), worker="alive")) == 1
    async with db.transaction() as session:
        assert not await repository.finish(session, dead, "dead", {"status": "failed"})
    assert [a.id for a in receiver.verified()] == [dead.public_id]


async def test_two_workers_at_once_deliver_each_event_once_and_each_ticket_in_order(
    api: httpx.AsyncClient, app: FastAPI, desk: Desk, receiver: Receiver
) -> None:
    await register(api, desk, receiver)
    opened = [await open_ticket(api, desk, f"Ticket {n}") for n in range(6)]
    for ticket in opened:
        ok(await api.post(f"{TICKETS}/{ticket}/actions/close", headers=desk.staff))
        ok(await api.post(f"{TICKETS}/{ticket}/actions/reopen", headers=desk.staff))

    async def work(worker: str) -> int:
        made = 0
        while step := await deliver_due(context(app, worker=worker)):
            made += step
        return made

    # Each worker runs until it finds nothing due; what the other held meanwhile is left.
    made = sum(await asyncio.gather(work("one"), work("two")))
    made += await deliver_everything(app)
    assert made == 18
    arrivals = receiver.verified()
    assert len(arrivals) == 18
    assert len({arrival.id for arrival in arrivals}) == 18
    for ticket in opened:
        types = [a.json["type"] for a in arrivals if a.json["data"]["ticket"]["id"] == ticket]
        assert types == ["ticket.created", "ticket.closed", "ticket.reopened"]


async def test_after_a_rotation_both_secrets_sign_for_a_day_then_only_the_new_one(
    api: httpx.AsyncClient, app: FastAPI, desk: Desk, receiver: Receiver
) -> None:
    hook = await register(api, desk, receiver)
    old = str(receiver.secret)
    rotated = ok(await api.post(f"{HOOKS}/{hook['id']}/actions/rotate-secret", headers=desk.admin))
    new = str(rotated["secret"])
    receiver.secret = new
    assert new.startswith("whsec_")
    assert new != old
    assert "secret" not in ok(await api.get(f"{HOOKS}/{hook['id']}", headers=desk.admin))
    await open_ticket(api, desk, "One")
    assert await deliver_everything(app) == 1
    await open_ticket(api, desk, "Two")
    assert await deliver_everything(app, utcnow() + timedelta(hours=25)) == 1
    first, second = receiver.arrivals
    for secret, verifies in ((old, (True, False)), (new, (True, True))):
        found = []
        for arrival in (first, second):
            try:
                Webhook(secret).verify(arrival.body, arrival.headers)
                found.append(True)
            except WebhookVerificationError:
                found.append(False)
        assert tuple(found) == verifies, secret
