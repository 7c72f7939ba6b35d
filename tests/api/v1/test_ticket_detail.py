"""`GET /api/support/tickets/{number}`: keys, visibility, the seed's shape, markers, ETag.

Every test here runs twice: served by the read lane (`api.v1.lane`, what production serves)
and by the FastAPI route alone (the lane switched off), so that neither path is proven while
the other is served.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from supportdesk.core.db import Database
from supportdesk.departments.models import Department
from supportdesk.keys import tokens
from supportdesk.tickets import versions
from supportdesk.tickets.models import Ticket
from tests import builders
from tests.api.assertions import (
    HOSTBILL_DATETIME,
    TIMESTAMP,
    assert_error,
    assert_rate_limit_headers,
    assert_rate_limited,
    assert_request_id,
)
from tests.builders import OPENED, BuiltTicket, World
from tests.seed import assert_seed_shape, seed_response, seed_ticket
from tests.support import AppFactory, client_for, recorded_statements

NUMBER = 616828
ZERO = "0000-00-00 00:00:00"


@pytest.fixture(params=["read lane", "FastAPI route"])
def app_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {"read_lane": request.param == "read lane"}


def url(number: int | str = NUMBER) -> str:
    return f"/api/support/tickets/{number}"


def key(api_key: str) -> dict[str, str]:
    return {"X-API-Key": api_key}


def gravatar(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()


def without_volatile(content: bytes) -> bytes:
    return re.sub(rb'"(timestamp|requestId)":"[^"]*"', rb'"\1":""', content)


async def read_markers(db: Database, ticket_id: int) -> tuple[bool, bool, datetime]:
    async with db.transaction() as session:
        row = (
            await session.execute(
                select(Ticket.client_read, Ticket.admin_read, Ticket.updated_at).where(
                    Ticket.id == ticket_id
                )
            )
        ).one()
    return bool(row[0]), bool(row[1]), row[2]


@dataclass(frozen=True, slots=True)
class FullTicket:
    """A ticket with something in every collection, and the ids the assertions need."""

    ticket: BuiltTicket
    client_reply: int
    staff_reply: int
    draft_reply: int
    scheduled_reply: int
    ticket_attachment: int
    client_reply_attachment: int
    draft_attachment: int
    vps_link: int
    vps_service: int
    domain_link: int
    domain_service: int


@pytest.fixture
async def full(db: Database, world: World) -> FullTicket:
    ticket = await builders.ticket(
        db,
        number=NUMBER,
        dept_id=world.dept_id,
        org_dept_id=world.hidden_dept_id,
        client_id=world.client_id,
        owner_id=world.owner_id,
        status="Answered",
        priority="high",
        flags=1 | 1024,
        cc="boss@example.com",
        bcc="audit@example.com",
        tags=["vps", "boot"],
        labels=[("source", "chatbot"), ("channel", "web")],
        subscriptions=[world.owner_id, world.staff_id],
        request_type="Incident",
        senderip="203.0.113.7",
        admin_read=True,
        last_reply_at=OPENED + timedelta(hours=2),
        updated_at=OPENED + timedelta(hours=4),
        edited_at=OPENED + timedelta(minutes=5),
        edited_by="Ada Lovelace",
        resolve_date=OPENED + timedelta(days=1),
        deadline=OPENED + timedelta(days=2),
        from_address="",
    )
    client_reply = await builders.reply(
        db,
        ticket.id,
        type="Client",
        replier_id=world.client_id,
        name="Ada Lovelace",
        email="  Ada@Example.COM ",
        body="Still broken after the rescue boot.",
        senderip="203.0.113.7",
        created_at=OPENED + timedelta(hours=1),
    )
    staff_reply = await builders.reply(
        db,
        ticket.id,
        replier_id=world.owner_id,
        name="John Doe",
        email="john.doe@hostup.example",
        body="Fixed: the initramfs was rebuilt.",
        rating=5,
        rated_at=OPENED + timedelta(hours=3),
        created_at=OPENED + timedelta(hours=2),
    )
    draft_reply = await builders.reply(
        db, ticket.id, status="Draft", body="Draft: ask for logs", created_at=OPENED
    )
    scheduled_reply = await builders.reply(
        db,
        ticket.id,
        status="Scheduled",
        body="Scheduled follow-up",
        created_at=OPENED + timedelta(hours=5),
    )
    await builders.note(db, ticket.id, world.owner_id, "Customer runs a legacy kernel.")
    await builders.note(db, ticket.id, world.staff_id, "Escalate if it happens again.")
    vps = await builders.service(db, world.client_id)
    domain = await builders.service(
        db,
        world.client_id,
        service_type="domain",
        name="example.se",
        status="Suspended",
        next_due=None,
        hostname="",
    )
    return FullTicket(
        ticket=ticket,
        client_reply=client_reply,
        staff_reply=staff_reply,
        draft_reply=draft_reply,
        scheduled_reply=scheduled_reply,
        ticket_attachment=await builders.attachment(db, ticket.id),
        client_reply_attachment=await builders.attachment(
            db, ticket.id, reply_id=client_reply, filename="dmesg.txt"
        ),
        draft_attachment=await builders.attachment(
            db, ticket.id, reply_id=draft_reply, filename="draft.txt"
        ),
        vps_link=await builders.link_service(
            db,
            ticket.id,
            vps,
            ai_summary="Kernel panic after an upgrade.",
            ai_helpful=True,
            updated_at=OPENED + timedelta(minutes=1, milliseconds=7),
        ),
        vps_service=vps,
        domain_link=await builders.link_service(db, ticket.id, domain),
        domain_service=domain,
    )


@pytest.fixture
async def opened(db: Database, world: World) -> BuiltTicket:
    """A plain ticket of the world's client."""
    return await builders.ticket(
        db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id
    )


async def get_ticket(
    api: httpx.AsyncClient, api_key: str, number: int | str = NUMBER, **headers: str
) -> httpx.Response:
    return await api.get(url(number), headers={**key(api_key), **headers})


def ticket_of(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] = response.json()["data"]["ticket"]
    return ticket


class TestGetTicketDetail:
    # --- 401: no key, bad keys ------------------------------------------------------------

    async def test_no_key_is_401_unauthorized(
        self, api: httpx.AsyncClient, opened: BuiltTicket
    ) -> None:
        response = await api.get(url())
        assert_error(response, 401, "UNAUTHORIZED")
        assert_rate_limit_headers(response)

    async def test_empty_bearer_is_401_unauthorized(
        self, api: httpx.AsyncClient, opened: BuiltTicket
    ) -> None:
        response = await api.get(url(), headers={"Authorization": "Bearer "})
        assert_error(response, 401, "UNAUTHORIZED")

    @pytest.mark.parametrize(
        "bad",
        ["junk", "sd_live_", "sd_test_" + "a" * 49, "one-character-change", "unknown", "lowercase"],
    )
    async def test_malformed_or_unknown_key_is_401_invalid_api_key(
        self, api: httpx.AsyncClient, world: World, opened: BuiltTicket, bad: str
    ) -> None:
        presented = {
            "one-character-change": world.client_key[:-1]
            + ("A" if world.client_key[-1] != "A" else "B"),
            "unknown": tokens.generate(),
            "lowercase": world.client_key.lower(),
        }.get(bad, bad)
        response = await get_ticket(api, presented)
        assert_error(response, 401, "INVALID_API_KEY")

    async def test_revoked_key_is_401_invalid_api_key(
        self, api: httpx.AsyncClient, db: Database, world: World, opened: BuiltTicket
    ) -> None:
        key_id, api_key = await builders.api_key(db, client_id=world.client_id)
        assert (await get_ticket(api, api_key)).status_code == 200
        await builders.update_key(db, key_id, revoked_at=datetime.now(UTC))
        assert_error(await get_ticket(api, api_key), 401, "INVALID_API_KEY")

    async def test_expired_key_is_401_invalid_api_key(
        self, api: httpx.AsyncClient, db: Database, world: World, opened: BuiltTicket
    ) -> None:
        key_id, api_key = await builders.api_key(db, client_id=world.client_id, expires_in_days=1)
        assert (await get_ticket(api, api_key)).status_code == 200
        await builders.update_key(db, key_id, expires_at=datetime.now(UTC) - timedelta(seconds=1))
        assert_error(await get_ticket(api, api_key), 401, "INVALID_API_KEY")

    async def test_bad_key_with_an_unknown_number_is_still_401(
        self, api: httpx.AsyncClient, world: World
    ) -> None:
        assert_error(await get_ticket(api, tokens.generate(), 999999), 401, "INVALID_API_KEY")

    @pytest.mark.parametrize("scheme", ["Bearer", "bearer"])
    async def test_authorization_bearer_works_like_x_api_key(
        self, api: httpx.AsyncClient, world: World, opened: BuiltTicket, scheme: str
    ) -> None:
        response = await api.get(url(), headers={"Authorization": f"{scheme} {world.client_key}"})
        assert ticket_of(response)["number"] == str(NUMBER)

    async def test_bad_bearer_is_401_invalid_api_key(
        self, api: httpx.AsyncClient, opened: BuiltTicket
    ) -> None:
        response = await api.get(url(), headers={"Authorization": "Bearer sd_live_nope"})
        assert_error(response, 401, "INVALID_API_KEY")

    # --- 403: scope, inactive client -----------------------------------------------------

    async def test_key_without_read_support_is_403_forbidden(
        self, api: httpx.AsyncClient, world: World, opened: BuiltTicket
    ) -> None:
        body = assert_error(await get_ticket(api, world.account_only_key), 403, "FORBIDDEN")
        assert "read:support" in body["message"]

    async def test_suspended_clients_key_is_403_forbidden(
        self, api: httpx.AsyncClient, db: Database, world: World
    ) -> None:
        await builders.ticket(
            db, number=NUMBER, dept_id=world.dept_id, client_id=world.suspended_client_id
        )
        assert_error(await get_ticket(api, world.suspended_client_key), 403, "FORBIDDEN")
        # ... and says nothing about whether a ticket exists.
        unknown = await get_ticket(api, world.suspended_client_key, 999999)
        assert_error(unknown, 403, "FORBIDDEN")

    async def test_closed_clients_key_is_403_forbidden(
        self, api: httpx.AsyncClient, db: Database, world: World
    ) -> None:
        closed = await builders.client(db, status="Closed")
        _, api_key = await builders.api_key(db, client_id=closed)
        await builders.ticket(db, number=NUMBER, dept_id=world.dept_id, client_id=closed)
        assert_error(await get_ticket(api, api_key), 403, "FORBIDDEN")

    # --- 404: unknown, not yours, internal -----------------------------------------------

    async def test_unknown_number_is_404_not_found(
        self, api: httpx.AsyncClient, world: World, opened: BuiltTicket
    ) -> None:
        assert_error(await get_ticket(api, world.staff_key, 999999), 404, "NOT_FOUND")
        assert_error(await get_ticket(api, world.client_key, 999999), 404, "NOT_FOUND")

    async def test_another_clients_ticket_is_the_same_404_as_an_unknown_number(
        self, api: httpx.AsyncClient, world: World, opened: BuiltTicket
    ) -> None:
        not_yours = await get_ticket(api, world.other_client_key, NUMBER)
        unknown = await get_ticket(api, world.other_client_key, 999999)
        assert_error(not_yours, 404, "NOT_FOUND")
        assert_error(unknown, 404, "NOT_FOUND")
        assert without_volatile(not_yours.content) == without_volatile(unknown.content)
        assert not_yours.headers["content-type"] == unknown.headers["content-type"]
        assert "etag" not in not_yours.headers

    async def test_internal_ticket_is_404_for_its_client_and_shown_to_staff(
        self, api: httpx.AsyncClient, db: Database, world: World
    ) -> None:
        await builders.ticket(
            db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id, flags=16 | 1
        )
        hidden = await get_ticket(api, world.client_key)
        unknown = await get_ticket(api, world.client_key, 999999)
        assert_error(hidden, 404, "NOT_FOUND")
        assert without_volatile(hidden.content) == without_volatile(unknown.content)
        assert ticket_of(await get_ticket(api, world.staff_key))["flags"] == 17

    async def test_staff_sees_every_clients_tickets_and_guests(
        self, api: httpx.AsyncClient, db: Database, world: World
    ) -> None:
        await builders.ticket(
            db, number=111111, dept_id=world.dept_id, client_id=world.other_client_id
        )
        await builders.ticket(
            db,
            number=222222,
            dept_id=world.dept_id,
            client_id=None,
            type="Email",
            from_address="guest@example.org",
        )
        others = ticket_of(await get_ticket(api, world.staff_key, 111111))
        assert (others["client_id"], others["client_group"]) == (str(world.other_client_id), "")
        guest = ticket_of(await get_ticket(api, world.staff_key, 222222))
        assert (guest["client_id"], guest["client_group"], guest["type"]) == ("0", "", "Email")
        assert (guest["creator_id"], guest["from"]) == ("0", "guest@example.org")

    # --- 400 / 405 / 406: malformed requests --------------------------------------------

    @pytest.mark.parametrize(
        "number", ["abc", "0", "-1", "1.5", "1e3", "1" * 30, "9223372036854775808"]
    )
    async def test_malformed_number_is_400_invalid_parameter(
        self, api: httpx.AsyncClient, world: World, number: str
    ) -> None:
        response = await get_ticket(api, world.staff_key, number)
        body = assert_error(response, 400, "INVALID_PARAMETER")
        assert "number" in body["message"]

    @pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
    async def test_other_methods_are_405(
        self, api: httpx.AsyncClient, world: World, opened: BuiltTicket, method: str
    ) -> None:
        response = await api.request(method, url(), headers=key(world.staff_key))
        assert_error(response, 405, "METHOD_NOT_ALLOWED")
        assert "GET" in response.headers["allow"]

    async def test_unknown_route_is_404_in_the_v1_shape(
        self, api: httpx.AsyncClient, world: World
    ) -> None:
        for path in ["/api/support/nope", "/nope", f"{url()}/nope", "/api/support/tickets/1/2/3"]:
            assert_error(await api.get(path, headers=key(world.staff_key)), 404, "NOT_FOUND")

    @pytest.mark.parametrize(
        "accept", ["text/html", "application/xml, text/*", "application/json;q=0"]
    )
    async def test_accept_that_rules_out_json_is_406(
        self, api: httpx.AsyncClient, world: World, opened: BuiltTicket, accept: str
    ) -> None:
        response = await get_ticket(api, world.staff_key, Accept=accept)
        assert_error(response, 406, "NOT_ACCEPTABLE")

    @pytest.mark.parametrize(
        "accept",
        [None, "", "*/*", "application/json", "application/*", "text/html, application/json;q=0.1"],
    )
    async def test_accept_that_admits_json_is_served(
        self, api: httpx.AsyncClient, world: World, opened: BuiltTicket, accept: str | None
    ) -> None:
        request = api.build_request("GET", url(), headers=key(world.staff_key))
        if accept is None:
            del request.headers["accept"]  # httpx sends `*/*` unless told otherwise
        else:
            request.headers["accept"] = accept
        response = await api.send(request)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"

    # --- 200: the seed's shape -----------------------------------------------------------

    @pytest.mark.parametrize("viewer", ["client", "staff"])
    async def test_response_has_the_seeds_fields_order_and_types(
        self, api: httpx.AsyncClient, world: World, full: FullTicket, viewer: str
    ) -> None:
        response = await get_ticket(api, getattr(world, f"{viewer}_key"))
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert list(body) == list(seed_response())
        assert list(body["data"]) == ["ticket"]
        assert body["success"] is True
        assert TIMESTAMP.match(body["timestamp"])
        assert_request_id(response, body)
        ticket = body["data"]["ticket"]
        assert_seed_shape(ticket, seed_ticket())
        # Every array of the seed is exercised with items, so their items' shapes were checked.
        for name in ["tags", "metadata", "replies", "attachments", "linkedServices"]:
            assert ticket[name], name
        if viewer == "staff":
            assert ticket["notes"]
            assert ticket["subscriptions"]

    async def test_values_follow_the_model(
        self, api: httpx.AsyncClient, world: World, full: FullTicket
    ) -> None:
        ticket = ticket_of(await get_ticket(api, world.staff_key))
        number = str(NUMBER)
        assert ticket["id"] == str(full.ticket.id)
        assert ticket["ticket_number"] == ticket["number"] == number
        assert (ticket["parent_id"], ticket["sla_id"], ticket["brand_id"]) == ("0", "0", "0")
        assert ticket["escalated"] == "0"
        assert ticket["date"] == ticket["start_date"] == "2026-11-20 09:30:15"
        assert ticket["lastreply"] == "2026-11-20 11:30:15"
        assert ticket["lastupdate"] == "2026-11-20 13:30:15"
        assert (ticket["lastedit"], ticket["editby"]) == ("2026-11-20 09:35:15", "Ada Lovelace")
        assert ticket["resolve_date"] == "2026-11-21 09:30:15"
        assert ticket["deadline"] == "2026-11-22 09:30:15"
        assert HOSTBILL_DATETIME.match(ticket["viewtime"])
        assert re.fullmatch(r"[a-z0-9]{32}", ticket["acc_hash"])
        assert ticket["dept_id"] == str(world.dept_id)
        assert (ticket["deptname"], ticket["org_deptname"]) == ("Technical Support", "Abuse")
        assert ticket["client_id"] == ticket["creator_id"] == str(world.client_id)
        assert ticket["client_group"] == "Gold"
        assert (ticket["cc"], ticket["bcc"]) == ("boss@example.com", "audit@example.com")
        assert (ticket["status"], ticket["status_color"]) == ("Answered", "2196f3")
        assert ticket["priority"] == "2"
        assert ticket["flags"] == 1025
        assert sorted(ticket["tags"]) == ["boot", "vps"]
        assert sorted(ticket["metadata"]) == ["channel:web", "source:chatbot"]
        assert (ticket["admin_read"], ticket["client_read"]) == ("1", "1")
        assert (ticket["type"], ticket["request_type"]) == ("Client", "Incident")
        assert ticket["senderip"] == "203.0.113.7"
        assert (ticket["share"], ticket["share_tag"], ticket["from"]) == ("", "", "")
        assert sorted(ticket["subscriptions"]) == sorted([str(world.owner_id), str(world.staff_id)])
        assert ticket["owner_id"] == str(world.owner_id)
        assert ticket["owner"] == {
            "id": str(world.owner_id),
            "username": "jdoe",
            "firstname": "John",
            "lastname": "Doe",
            "email": "john.doe@hostup.example",
            "status": "Active",
        }
        assert ticket["notes"] == [
            "Customer runs a legacy kernel.",
            "Escalate if it happens again.",
        ]
        assert ticket["attachments"] == [
            f"/api/support/tickets/{number}/attachments/{attachment}"
            for attachment in sorted(
                [full.ticket_attachment, full.client_reply_attachment, full.draft_attachment]
            )
        ]

        replies = ticket["replies"]
        assert [reply["id"] for reply in replies] == [
            str(full.draft_reply),
            str(full.client_reply),
            str(full.staff_reply),
            str(full.scheduled_reply),
        ], "oldest first"
        draft, client_reply, staff_reply, scheduled = replies
        assert {reply["ticket_id"] for reply in replies} == {str(full.ticket.id)}
        assert [reply["status"] for reply in replies] == ["Draft", "Sent", "Sent", "Scheduled"]
        assert client_reply["type"] == "Client"
        assert client_reply["replier_id"] == str(world.client_id)
        assert client_reply["date"] == "2026-11-20 10:30:15"
        assert (client_reply["lastedit"], client_reply["editby"]) == (ZERO, "")
        assert (client_reply["rating"], client_reply["rate_date"]) == ("0", ZERO)
        assert client_reply["gravatar"] == gravatar("ada@example.com")
        assert client_reply["senderip"] == "203.0.113.7"
        assert staff_reply["type"] == "Admin"
        assert staff_reply["replier_id"] == str(world.owner_id)
        assert (staff_reply["rating"], staff_reply["rate_date"]) == ("5", "2026-11-20 12:30:15")
        assert staff_reply["gravatar"] == gravatar("john.doe@hostup.example")
        assert draft["flags"] == scheduled["flags"] == 0

        vps, domain = ticket["linkedServices"]
        assert vps == {
            "id": str(full.vps_link),
            "ticketNumber": number,
            "clientId": str(world.client_id),
            "serviceType": "vps",
            "serviceId": str(full.vps_service),
            "serviceName": "vps-01",
            "metadata": {
                "status": "Active",
                "nextDue": "2026-12-01",
                "hostname": "vps-01.example.net",
            },
            "aiSummary": "Kernel panic after an upgrade.",
            "aiHelpful": "1",
            "createdAt": "2026-11-20T09:30:15.123Z",
            "updatedAt": "2026-11-20T09:31:15.130Z",
        }
        assert domain["id"] == str(full.domain_link)
        assert domain["serviceId"] == str(full.domain_service)
        assert domain["metadata"] == {"status": "Suspended", "nextDue": "", "hostname": ""}
        assert (domain["aiSummary"], domain["aiHelpful"]) == ("", "")
        assert TIMESTAMP.match(domain["createdAt"])
        assert TIMESTAMP.match(domain["updatedAt"])

    async def test_datetimes_are_in_the_configured_zone(
        self, make_app: AppFactory, db: Database, world: World, full: FullTicket
    ) -> None:
        async with client_for(make_app(timezone="Europe/Stockholm")) as api:
            ticket = ticket_of(await get_ticket(api, world.staff_key))
        assert ticket["date"] == "2026-11-20 10:30:15"
        assert ticket["replies"][1]["date"] == "2026-11-20 11:30:15"
        assert ticket["lastedit"] == "2026-11-20 10:35:15"
        assert ticket["linkedServices"][0]["createdAt"] == "2026-11-20T09:30:15.123Z", "ISO: UTC"
        assert ticket["replies"][0]["lastedit"] == ZERO

    async def test_ai_helpful_false_is_0(
        self, api: httpx.AsyncClient, db: Database, world: World, opened: BuiltTicket
    ) -> None:
        service = await builders.service(db, world.client_id, next_due=date(2027, 1, 31))
        await builders.link_service(db, opened.id, service, ai_helpful=False)
        (link,) = ticket_of(await get_ticket(api, world.client_key))["linkedServices"]
        assert (link["aiHelpful"], link["metadata"]["nextDue"]) == ("0", "2027-01-31")

    @pytest.mark.parametrize(
        ("stored", "shown"),
        [("low", "0"), ("medium", "1"), ("high", "2"), ("urgent", "3"), ("critical", "3")],
    )
    async def test_priority_is_shown_as_a_digit(
        self, api: httpx.AsyncClient, db: Database, world: World, stored: str, shown: str
    ) -> None:
        await builders.ticket(
            db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id, priority=stored
        )
        assert ticket_of(await get_ticket(api, world.client_key))["priority"] == shown

    async def test_a_plain_ticket_has_zero_dates_empty_text_and_empty_arrays(
        self, api: httpx.AsyncClient, world: World, opened: BuiltTicket
    ) -> None:
        ticket = ticket_of(await get_ticket(api, world.staff_key))
        assert ticket["lastedit"] == ticket["resolve_date"] == ticket["deadline"] == ZERO
        assert ticket["lastreply"] == ticket["date"]
        assert ticket["owner_id"] == "0"
        assert ticket["owner"] == {
            "id": "0",
            "username": "",
            "firstname": "",
            "lastname": "",
            "email": "",
            "status": "",
        }
        for name in [
            "tags",
            "metadata",
            "subscriptions",
            "replies",
            "attachments",
            "notes",
            "linkedServices",
        ]:
            assert ticket[name] == [], name
        assert (ticket["cc"], ticket["bcc"], ticket["editby"]) == ("", "", "")

    async def test_merged_escalated_branded_ticket_shows_its_references(
        self, api: httpx.AsyncClient, db: Database, world: World
    ) -> None:
        target = await builders.ticket(
            db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id
        )
        brand = await builders.brand(db)
        sla = await builders.sla_policy(db, world.dept_id, level=2)
        inactive = await builders.staff(db, status="Inactive", email="gone@hostup.example")
        await builders.ticket(
            db,
            number=NUMBER + 1,
            dept_id=world.dept_id,
            client_id=world.client_id,
            status="Closed",
            parent_id=target.id,
            brand_id=brand,
            sla_id=sla,
            escalated=2,
            owner_id=inactive,
        )
        merged = ticket_of(await get_ticket(api, world.client_key, NUMBER + 1))
        assert merged["number"] == str(NUMBER + 1), "a merged ticket's number resolves to it"
        assert merged["parent_id"] == str(target.id)
        assert (merged["brand_id"], merged["sla_id"], merged["escalated"]) == (
            str(brand),
            str(sla),
            "2",
        )
        assert (merged["status"], merged["status_color"]) == ("Closed", "000000")
        assert merged["owner_id"] == merged["owner"]["id"] == str(inactive)
        assert (merged["owner"]["status"], merged["owner"]["email"]) == ("Inactive", "")

    async def test_custom_status_and_number_wider_than_six_digits(
        self, api: httpx.AsyncClient, db: Database, world: World
    ) -> None:
        await builders.custom_status(db, "Waiting-Vendor", "abcdef")
        await builders.ticket(
            db,
            number=12345678,
            dept_id=world.dept_id,
            client_id=world.client_id,
            status="Waiting-Vendor",
        )
        ticket = ticket_of(await get_ticket(api, world.client_key, 12345678))
        assert (ticket["status"], ticket["status_color"]) == ("Waiting-Vendor", "abcdef")
        assert ticket["number"] == ticket["ticket_number"] == "12345678"

    # --- who sees what -------------------------------------------------------------------

    async def test_client_view_hides_what_is_staff_only(
        self, api: httpx.AsyncClient, world: World, full: FullTicket
    ) -> None:
        ticket = ticket_of(await get_ticket(api, world.client_key))
        assert ticket["notes"] == []
        assert ticket["bcc"] == ""
        assert ticket["cc"] == "boss@example.com"
        assert ticket["subscriptions"] == []
        assert ticket["owner"]["email"] == ""
        assert ticket["owner"]["username"] == "jdoe"
        assert ticket["flags"] == 1024, "bit 1 (staff notes) is not the client's to see"
        assert [reply["id"] for reply in ticket["replies"]] == [
            str(full.client_reply),
            str(full.staff_reply),
        ]
        assert {reply["status"] for reply in ticket["replies"]} == {"Sent"}
        assert ticket["attachments"] == [
            f"/api/support/tickets/{NUMBER}/attachments/{attachment}"
            for attachment in sorted([full.ticket_attachment, full.client_reply_attachment])
        ]
        assert len(ticket["linkedServices"]) == 2

    async def test_staff_view_shows_everything(
        self, api: httpx.AsyncClient, world: World, full: FullTicket
    ) -> None:
        ticket = ticket_of(await get_ticket(api, world.staff_key))
        assert len(ticket["notes"]) == 2
        assert ticket["bcc"] == "audit@example.com"
        assert len(ticket["subscriptions"]) == 2
        assert ticket["owner"]["email"] == "john.doe@hostup.example"
        assert ticket["flags"] == 1025
        assert {reply["status"] for reply in ticket["replies"]} == {"Sent", "Draft", "Scheduled"}
        assert len(ticket["attachments"]) == 3

    # --- read markers --------------------------------------------------------------------

    async def test_client_reading_sets_client_read_once(
        self, app: FastAPI, api: httpx.AsyncClient, db: Database, world: World
    ) -> None:
        built = await builders.ticket(
            db,
            number=NUMBER,
            dept_id=world.dept_id,
            client_id=world.client_id,
            client_read=False,
            admin_read=False,
        )
        with recorded_statements(app) as first:
            ticket = ticket_of(await get_ticket(api, world.client_key))
        assert ticket["client_read"] == "1"
        assert ticket["admin_read"] == "0"
        assert ticket["lastupdate"] == "2026-11-20 09:30:15"
        assert _ticket_updates(first) == 1
        assert await read_markers(db, built.id) == (True, False, OPENED)

        with recorded_statements(app) as second:
            ticket = ticket_of(await get_ticket(api, world.client_key))
        assert ticket["client_read"] == "1"
        assert _ticket_updates(second) == 0, "the marker is written only when it changes"
        assert await read_markers(db, built.id) == (True, False, OPENED)

    async def test_staff_reading_sets_admin_read_once(
        self, app: FastAPI, api: httpx.AsyncClient, db: Database, world: World
    ) -> None:
        built = await builders.ticket(
            db,
            number=NUMBER,
            dept_id=world.dept_id,
            client_id=world.client_id,
            client_read=False,
            admin_read=False,
        )
        with recorded_statements(app) as first:
            ticket = ticket_of(await get_ticket(api, world.staff_key))
        assert (ticket["admin_read"], ticket["client_read"]) == ("1", "0")
        assert ticket["lastupdate"] == "2026-11-20 09:30:15"
        assert _ticket_updates(first) == 1
        assert await read_markers(db, built.id) == (False, True, OPENED)

        with recorded_statements(app) as second:
            assert ticket_of(await get_ticket(api, world.staff_key))["admin_read"] == "1"
        assert _ticket_updates(second) == 0
        assert await read_markers(db, built.id) == (False, True, OPENED)

    async def test_a_refused_read_marks_nothing(
        self, api: httpx.AsyncClient, db: Database, world: World
    ) -> None:
        built = await builders.ticket(
            db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id, client_read=False
        )
        assert (await get_ticket(api, world.other_client_key)).status_code == 404
        assert (await get_ticket(api, world.account_only_key)).status_code == 403
        assert await read_markers(db, built.id) == (False, False, OPENED)

    # --- ETag ----------------------------------------------------------------------------

    async def test_etag_is_weak_and_if_none_match_gets_304(
        self, api: httpx.AsyncClient, world: World, full: FullTicket
    ) -> None:
        first = await get_ticket(api, world.client_key)
        tag = first.headers["etag"]
        assert re.fullmatch(r'W/"[^"]+"', tag)
        again = await get_ticket(api, world.client_key)
        assert again.headers["etag"] == tag, "the view time does not move the tag"

        not_modified = await get_ticket(api, world.client_key, **{"If-None-Match": tag})
        assert not_modified.status_code == 304
        assert not_modified.content == b""
        assert not_modified.headers["etag"] == tag
        assert_request_id(not_modified)
        assert_rate_limit_headers(not_modified)

        listed = await get_ticket(api, world.client_key, **{"If-None-Match": f'W/"other", {tag}'})
        assert listed.status_code == 304

    async def test_an_old_etag_gets_200(
        self, api: httpx.AsyncClient, world: World, opened: BuiltTicket
    ) -> None:
        response = await get_ticket(api, world.client_key, **{"If-None-Match": 'W/"stale"'})
        assert response.status_code == 200
        assert response.json()["data"]["ticket"]["number"] == str(NUMBER)

    @pytest.mark.parametrize("sent", ["strong", "star"])
    async def test_if_none_match_uses_weak_comparison(
        self, api: httpx.AsyncClient, world: World, opened: BuiltTicket, sent: str
    ) -> None:
        """RFC 9110 13.1.2: If-None-Match compares weakly (`"x"` matches `W/"x"`); `*` matches
        any current representation."""
        tag = (await get_ticket(api, world.client_key)).headers["etag"]
        header = tag.removeprefix("W/") if sent == "strong" else "*"
        response = await get_ticket(api, world.client_key, **{"If-None-Match": header})
        assert response.status_code == 304

    async def test_etag_changes_with_a_new_reply(
        self, api: httpx.AsyncClient, db: Database, world: World, opened: BuiltTicket
    ) -> None:
        tag = (await get_ticket(api, world.client_key)).headers["etag"]
        await builders.reply(db, opened.id)
        response = await get_ticket(api, world.client_key, **{"If-None-Match": tag})
        assert response.status_code == 200
        assert response.headers["etag"] != tag
        assert len(ticket_of(response)["replies"]) == 1

    async def test_etag_changes_when_the_department_is_renamed(
        self, api: httpx.AsyncClient, db: Database, world: World, opened: BuiltTicket
    ) -> None:
        tag = (await get_ticket(api, world.client_key)).headers["etag"]
        async with db.transaction() as session:
            await session.execute(
                update(Department)
                .where(Department.id == world.dept_id)
                .values(name="Cloud Support")
            )
            await versions.shown_data_changed(session)  # as every rename does (`versions`)
        response = await get_ticket(api, world.client_key, **{"If-None-Match": tag})
        assert response.status_code == 200
        assert response.headers["etag"] != tag
        assert ticket_of(response)["deptname"] == "Cloud Support"

    async def test_a_draft_moves_the_staff_tag_only(
        self, api: httpx.AsyncClient, db: Database, world: World
    ) -> None:
        opened = await builders.ticket(
            db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id, admin_read=True
        )
        client_tag = (await get_ticket(api, world.client_key)).headers["etag"]
        staff_tag = (await get_ticket(api, world.staff_key)).headers["etag"]
        await builders.reply(db, opened.id, status="Draft")
        client = await get_ticket(api, world.client_key, **{"If-None-Match": client_tag})
        staff = await get_ticket(api, world.staff_key, **{"If-None-Match": staff_tag})
        assert client.status_code == 304, "a draft changes nothing the client sees"
        assert staff.status_code == 200

    # --- rate limits ---------------------------------------------------------------------

    async def test_a_keys_rate_limit_gives_429_with_retry_after(
        self, api: httpx.AsyncClient, db: Database, world: World, opened: BuiltTicket
    ) -> None:
        _, api_key = await builders.api_key(db, client_id=world.client_id, rate_limit_per_minute=3)
        responses = [await get_ticket(api, api_key) for _ in range(4)]
        assert [response.status_code for response in responses] == [200, 200, 200, 429]
        assert [response.headers["x-ratelimit-remaining"] for response in responses] == [
            "2",
            "1",
            "0",
            "0",
        ]
        for response in responses:
            assert_rate_limit_headers(response)
            assert response.headers["x-ratelimit-limit"] == "3"
            assert response.headers["ratelimit-policy"] == '"key";q=3;w=60'
        assert_rate_limited(responses[3])
        # Other keys have their own limits.
        assert (await get_ticket(api, world.client_key)).status_code == 200

    async def test_every_response_carries_rate_limit_headers(
        self, api: httpx.AsyncClient, db: Database, world: World, opened: BuiltTicket
    ) -> None:
        _, limited = await builders.api_key(db, client_id=world.client_id, rate_limit_per_minute=1)
        await get_ticket(api, limited)
        responses = {
            200: await get_ticket(api, world.client_key),
            304: await get_ticket(
                api,
                world.client_key,
                **{"If-None-Match": (await get_ticket(api, world.client_key)).headers["etag"]},
            ),
            400: await get_ticket(api, world.client_key, "abc"),
            401: await get_ticket(api, "sd_live_nope"),
            403: await get_ticket(api, world.account_only_key),
            404: await get_ticket(api, world.client_key, 999999),
            405: await api.delete(url(), headers=key(world.client_key)),
            406: await get_ticket(api, world.client_key, Accept="text/html"),
            429: await get_ticket(api, limited),
        }
        for status, response in responses.items():
            assert response.status_code == status
            assert_rate_limit_headers(response)

    async def test_failed_authentication_is_limited_per_address(
        self, make_app: AppFactory, world: World
    ) -> None:
        async with client_for(make_app(auth_failures_per_minute=3)) as api:
            failures = [await get_ticket(api, tokens.generate()) for _ in range(3)]
            assert [response.status_code for response in failures] == [401, 401, 401]
            for response in failures:
                assert response.headers["x-ratelimit-limit"] == "3"
            limited = await get_ticket(api, tokens.generate())
            assert_rate_limited(limited)
            assert_rate_limit_headers(limited)
            assert (await api.get(url())).status_code == 429, "no key counts as a failure too"


def _ticket_updates(statements: list[str]) -> int:
    return sum(1 for statement in statements if re.match(r"\s*UPDATE tickets\b", statement, re.I))


class TestTheTwoPaths:
    async def test_the_lane_answers_a_read_by_itself_as_the_route_does(
        self, make_app: AppFactory, world: World, opened: BuiltTicket
    ) -> None:
        """The lane in front of an app that fails if reached: it serves the read alone, with
        the bytes the FastAPI route serves."""
        from supportdesk.api.v1.lane import TicketReadLane

        routed = make_app(read_lane=False)
        assert all(
            getattr(m.cls, "__name__", "") != "TicketReadLane" for m in routed.user_middleware
        )

        async def fastapi_must_not_run(scope: Any, receive: Any, send: Any) -> None:
            raise AssertionError(f"the lane passed {scope['path']} on")

        lane = TicketReadLane(fastapi_must_not_run)

        async def lane_alone(scope: Any, receive: Any, send: Any) -> None:
            scope["app"] = routed
            await lane(scope, receive, send)

        transport = httpx.ASGITransport(app=lane_alone)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as laned:
            by_lane = await laned.get(url(), headers=key(world.client_key))
        async with client_for(routed) as api:
            by_route = await api.get(url(), headers=key(world.client_key))
        assert by_lane.status_code == by_route.status_code == 200
        assert by_lane.headers["etag"] == by_route.headers["etag"]
        assert without_volatile(by_lane.content).replace(
            by_lane.json()["data"]["ticket"]["viewtime"].encode(), b""
        ) == without_volatile(by_route.content).replace(
            by_route.json()["data"]["ticket"]["viewtime"].encode(), b""
        )
