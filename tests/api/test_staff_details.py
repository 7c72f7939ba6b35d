"""A client sees no staff e-mail address or IP anywhere, in either generation.

The client's own address and IP on its own messages stay; a staff reply keeps its author's name
and the seed's shape, with an empty `email`, `senderip` and `from` and the gravatar of the empty
address (the same for every staff member, so it tells nothing about who wrote it).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from supportdesk.api.deps import state_of
from supportdesk.core.db import Database
from tests import builders
from tests.api.v2.assertions import key
from tests.builders import OPENED, World
from tests.seed import assert_seed_shape, seed_ticket

NUMBER = 515151
STAFF_OPENED = 525252
STAFF_EMAIL = "john.doe@hostup.example"
STAFF_FROM = "john.doe+relay@hostup.example"
STAFF_IP = "10.20.30.40"
SYSTEM_EMAIL = "robot@hostup.example"
SYSTEM_IP = "10.20.30.41"
STAFF_OPENED_IP = "10.20.30.42"
CLIENT_EMAIL = "ada@example.com"
CLIENT_IP = "203.0.113.7"
STAFF_SECRETS = (STAFF_EMAIL, STAFF_FROM, STAFF_IP, SYSTEM_EMAIL, SYSTEM_IP, STAFF_OPENED_IP)
EMPTY_GRAVATAR = hashlib.md5(b"", usedforsecurity=False).hexdigest()


def md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


@pytest.fixture
async def conversation(db: Database, world: World) -> None:
    """A client's ticket with a client, a staff and a system reply, and a ticket staff opened
    for the same client from a staff address."""
    ticket = await builders.ticket(
        db,
        number=NUMBER,
        dept_id=world.dept_id,
        client_id=world.client_id,
        owner_id=world.owner_id,
        email=CLIENT_EMAIL,
        senderip=CLIENT_IP,
    )
    await builders.reply(
        db,
        ticket.id,
        type="Client",
        replier_id=world.client_id,
        name="Ada Lovelace",
        email=CLIENT_EMAIL,
        senderip=CLIENT_IP,
        created_at=OPENED + timedelta(minutes=1),
    )
    await builders.reply(
        db,
        ticket.id,
        type="Admin",
        replier_id=world.owner_id,
        name="John Doe",
        email=STAFF_EMAIL,
        senderip=STAFF_IP,
        from_address=STAFF_FROM,
        created_at=OPENED + timedelta(minutes=2),
    )
    await builders.reply(
        db,
        ticket.id,
        type="System",
        name="HostUp",
        email=SYSTEM_EMAIL,
        senderip=SYSTEM_IP,
        created_at=OPENED + timedelta(minutes=3),
    )
    await builders.ticket(
        db,
        number=STAFF_OPENED,
        dept_id=world.dept_id,
        client_id=world.client_id,
        type="Admin",
        creator_id=world.owner_id,
        email=CLIENT_EMAIL,
        senderip=STAFF_OPENED_IP,
    )


def assert_no_staff_secret(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    for secret in (*STAFF_SECRETS, md5(STAFF_EMAIL), md5(SYSTEM_EMAIL)):
        assert secret not in response.text, f"{secret!r} reached the client"


@pytest.mark.usefixtures("conversation")
class TestV1:
    async def test_a_client_sees_no_staff_address_ip_or_their_gravatar(
        self, api: httpx.AsyncClient, world: World
    ) -> None:
        response = await api.get(f"/api/support/tickets/{NUMBER}", headers=key(world.client_key))
        assert_no_staff_secret(response)
        ticket = response.json()["data"]["ticket"]
        assert_seed_shape(ticket, seed_ticket())
        client, staff, system = ticket["replies"]
        assert (client["email"], client["senderip"]) == (CLIENT_EMAIL, CLIENT_IP)
        assert client["gravatar"] == md5(CLIENT_EMAIL)
        for reply in (staff, system):
            assert (reply["email"], reply["senderip"], reply["from"]) == ("", "", "")
            assert reply["gravatar"] == EMPTY_GRAVATAR
        assert staff["name"] == "John Doe"
        assert (ticket["email"], ticket["senderip"]) == (CLIENT_EMAIL, CLIENT_IP)

    async def test_a_ticket_staff_opened_shows_the_client_no_staff_ip(
        self, api: httpx.AsyncClient, world: World
    ) -> None:
        response = await api.get(
            f"/api/support/tickets/{STAFF_OPENED}", headers=key(world.client_key)
        )
        assert_no_staff_secret(response)
        ticket = response.json()["data"]["ticket"]
        assert (ticket["type"], ticket["senderip"], ticket["email"]) == ("Admin", "", CLIENT_EMAIL)

    async def test_staff_see_every_address_and_ip(
        self, api: httpx.AsyncClient, world: World
    ) -> None:
        response = await api.get(f"/api/support/tickets/{NUMBER}", headers=key(world.staff_key))
        _, staff, system = response.json()["data"]["ticket"]["replies"]
        assert (staff["email"], staff["senderip"], staff["from"]) == (
            STAFF_EMAIL,
            STAFF_IP,
            STAFF_FROM,
        )
        assert staff["gravatar"] == md5(STAFF_EMAIL)
        assert (system["email"], system["senderip"]) == (SYSTEM_EMAIL, SYSTEM_IP)
        opened = await api.get(f"/api/support/tickets/{STAFF_OPENED}", headers=key(world.staff_key))
        assert opened.json()["data"]["ticket"]["senderip"] == STAFF_OPENED_IP


@pytest.mark.usefixtures("conversation")
class TestV2:
    async def test_a_client_sees_no_staff_address_or_ip_in_detail_or_list(
        self, api: httpx.AsyncClient, world: World
    ) -> None:
        for number in (STAFF_OPENED, NUMBER):
            detail = await api.get(
                f"/api/v2/support/tickets/{number}", headers=key(world.client_key)
            )
            assert_no_staff_secret(detail)
        senders = [(m["sender"], m["senderName"]) for m in detail.json()["messages"]]
        assert senders == [
            ("customer", "Ada Lovelace"),
            ("staff", "John Doe"),
            ("automation", "HostUp"),
        ]
        listed = await api.get("/api/v2/support/tickets", headers=key(world.client_key))
        assert_no_staff_secret(listed)
        assert len(listed.json()["data"]) == 2


async def test_replies_through_the_api_keep_the_staff_address_and_ip_from_the_client(
    app: FastAPI, world: World
) -> None:
    """End to end: staff reply from their address, the client reads both generations."""
    staff_transport = httpx.ASGITransport(app=app, client=(STAFF_IP, 40000))
    client_transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 40001))
    db: Database = state_of(app).db
    _, staff_key = await builders.api_key(
        db, staff_id=world.owner_id, scopes=("read:support", "write:support")
    )
    _, client_key = await builders.api_key(
        db, client_id=world.client_id, scopes=("read:support", "write:support")
    )
    async with (
        httpx.AsyncClient(transport=staff_transport, base_url="http://test") as staff,
        httpx.AsyncClient(transport=client_transport, base_url="http://test") as client,
    ):
        opened = await client.post(
            "/api/support/tickets",
            headers=key(client_key),
            json={
                "dept_id": world.dept_id,
                "subject": "Down",
                "body": "It is down.",
                "priority": 1,
            },
        )
        assert opened.status_code == 200, opened.text
        number = opened.json()["data"]["ticket"]["number"]
        answered = await staff.post(
            f"/api/v2/support/tickets/{number}/messages",
            headers=key(staff_key),
            json={"message": "Rebooted it."},
        )
        assert answered.status_code == 201, answered.text

        seen_by_staff = await staff.get(f"/api/support/tickets/{number}", headers=key(staff_key))
        staff_reply = seen_by_staff.json()["data"]["ticket"]["replies"][-1]
        assert (staff_reply["email"], staff_reply["senderip"]) == (STAFF_EMAIL, STAFF_IP)

        v1 = await client.get(f"/api/support/tickets/{number}", headers=key(client_key))
        assert_no_staff_secret(v1)
        ticket = v1.json()["data"]["ticket"]
        assert ticket["senderip"] == CLIENT_IP
        assert ticket["replies"][-1]["name"] == "John Doe"
        v2 = await client.get(f"/api/v2/support/tickets/{number}", headers=key(client_key))
        assert_no_staff_secret(v2)
        assert [m["sender"] for m in v2.json()["messages"]] == ["staff"]
