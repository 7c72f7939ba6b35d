"""`POST /api/support/tickets`: HostUp's create call (v1.md), `number` first and an integer."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from supportdesk.core.db import Database
from supportdesk.keys import tokens
from tests import builders, conversation_builders
from tests.api.assertions import (
    HOSTBILL_DATETIME,
    TIMESTAMP,
    assert_error,
    assert_rate_limit_headers,
    assert_rate_limited,
    assert_request_id,
)
from tests.conversation_builders import Cast, ticket_count
from tests.seed import assert_seed_shape, seed_ticket

URL = "/api/support/tickets"
ZERO = "0000-00-00 00:00:00"
MIB = 1024 * 1024


def key(api_key: str) -> dict[str, str]:
    return {"X-API-Key": api_key}


def payload(dept_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "dept_id": dept_id,
        "subject": "Mail bounces",
        "body": "Since this morning every message to gmail.com bounces.",
        "priority": 1,
    }
    body.update(overrides)
    return body


async def create(api: httpx.AsyncClient, api_key: str, body: Any) -> httpx.Response:
    return await api.post(URL, headers=key(api_key), json=body)


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] = response.json()["data"]["ticket"]
    return ticket


def hostbill_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


class TestCreateTicket:
    # --- 401 ---------------------------------------------------------------------------

    async def test_no_key_is_401_unauthorized(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        response = await api.post(URL, json=payload(cast.world.dept_id))
        assert_error(response, 401, "UNAUTHORIZED")
        assert_rate_limit_headers(response)
        assert await ticket_count(db) == 0

    @pytest.mark.parametrize(
        ("content", "content_type"),
        [(b"subject=Mail", "application/x-www-form-urlencoded"), (b'{"dept_id": 1,', None)],
        ids=["not-json", "malformed-json"],
    )
    async def test_no_key_is_401_whatever_the_body(
        self, api: httpx.AsyncClient, cast: Cast, content: bytes, content_type: str | None
    ) -> None:
        """README "order of checks": no key is 401 before anything is said about the body."""
        headers = {"Content-Type": content_type or "application/json"}
        response = await api.post(URL, content=content, headers=headers)
        assert_error(response, 401, "UNAUTHORIZED")

    @pytest.mark.parametrize("bad", ["junk", "sd_live_", "unknown", "revoked"])
    async def test_bad_key_is_401_invalid_api_key(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, bad: str
    ) -> None:
        presented = bad
        if bad == "unknown":
            presented = tokens.generate()
        elif bad == "revoked":
            key_id, presented = await builders.api_key(
                db, client_id=cast.world.client_id, scopes=conversation_builders.WRITE_SCOPES
            )
            await builders.update_key(db, key_id, revoked_at=datetime.now(UTC))
        response = await create(api, presented, payload(cast.world.dept_id))
        assert_error(response, 401, "INVALID_API_KEY")
        assert await ticket_count(db) == 0

    # --- 403 ---------------------------------------------------------------------------

    async def test_key_without_write_support_is_403_forbidden(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        response = await create(api, cast.read_only_key, payload(cast.world.dept_id))
        body = assert_error(response, 403, "FORBIDDEN")
        assert "write:support" in body["message"]
        assert await ticket_count(db) == 0

    async def test_suspended_clients_key_is_403_forbidden(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        _, suspended = await builders.api_key(
            db,
            client_id=cast.world.suspended_client_id,
            scopes=conversation_builders.WRITE_SCOPES,
        )
        assert_error(await create(api, suspended, payload(cast.world.dept_id)), 403, "FORBIDDEN")
        assert await ticket_count(db) == 0

    # --- 400: the body -----------------------------------------------------------------

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("dept_id", None),
            ("dept_id", "1"),
            ("dept_id", 0),
            ("subject", None),
            ("subject", ""),
            ("subject", "   "),
            ("subject", "x" * 256),
            ("subject", "a\x00b"),
            ("body", None),
            ("body", ""),
            ("body", "x" * 65_536),
            ("body", "nul \x00 byte"),
            ("priority", None),
            ("priority", 4),
            ("priority", -1),
            ("priority", "1"),
            ("priority", 1.5),
        ],
    )
    async def test_a_missing_or_wrong_field_is_400_naming_it(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, field: str, value: Any
    ) -> None:
        body = payload(cast.world.dept_id)
        if value is None:
            del body[field]
        else:
            body[field] = value
        error = assert_error(await create(api, cast.client_key, body), 400, "VALIDATION_ERROR")
        assert field in error["message"], error["message"]
        assert await ticket_count(db) == 0

    @pytest.mark.parametrize(
        "context",
        [
            {"service_type": "server", "service_id": 1},
            {"service_type": "vps"},
            {"service_type": "vps", "service_id": "abc"},
        ],
    )
    async def test_a_malformed_context_is_400_naming_it(
        self, api: httpx.AsyncClient, cast: Cast, context: dict[str, Any]
    ) -> None:
        response = await create(api, cast.client_key, payload(cast.world.dept_id, context=context))
        error = assert_error(response, 400, "VALIDATION_ERROR")
        assert "context" in error["message"]

    @pytest.mark.parametrize("content", [b"[]", b'"text"', b"17", b"null"])
    async def test_a_body_that_is_not_an_object_is_400(
        self, api: httpx.AsyncClient, cast: Cast, content: bytes
    ) -> None:
        response = await api.post(
            URL,
            content=content,
            headers={**key(cast.client_key), "Content-Type": "application/json"},
        )
        assert_error(response, 400, "VALIDATION_ERROR")

    async def test_malformed_json_is_400(self, api: httpx.AsyncClient, cast: Cast) -> None:
        response = await api.post(
            URL,
            content=b'{"dept_id": 1,',
            headers={**key(cast.client_key), "Content-Type": "application/json"},
        )
        error = assert_error(response, 400, "VALIDATION_ERROR")
        assert "JSON" in error["message"]

    @pytest.mark.parametrize("which", ["hidden", "unknown"])
    async def test_a_department_the_client_cannot_use_is_400_naming_dept_id(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, which: str
    ) -> None:
        dept_id = cast.world.hidden_dept_id if which == "hidden" else 987654
        response = await create(api, cast.client_key, payload(dept_id))
        error = assert_error(response, 400, "VALIDATION_ERROR")
        assert "dept_id" in error["message"], error["message"]
        assert await ticket_count(db) == 0

    @pytest.mark.parametrize("whose", ["another client's", "wrong type", "unknown"])
    async def test_a_service_that_is_not_the_callers_is_400_naming_it(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, whose: str
    ) -> None:
        owner = cast.world.other_client_id if whose == "another client's" else cast.world.client_id
        service_id = await builders.service(db, owner)
        context = {
            "service_type": "domain" if whose == "wrong type" else "vps",
            "service_id": service_id + 1000 if whose == "unknown" else service_id,
        }
        response = await create(api, cast.client_key, payload(cast.world.dept_id, context=context))
        error = assert_error(response, 400, "VALIDATION_ERROR")
        assert "service_id" in error["message"], error["message"]
        assert await ticket_count(db) == 0

    async def test_a_staff_key_must_name_the_client_or_a_guest(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        for extra in ({}, {"name": "Guest"}, {"email": "guest@example.org"}):
            response = await create(api, cast.staff_key, payload(cast.world.dept_id, **extra))
            error = assert_error(response, 400, "VALIDATION_ERROR")
            assert "client_id" in error["message"]
        assert await ticket_count(db) == 0

    async def test_an_unknown_client_id_is_400_naming_it(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        unknown = await create(api, cast.staff_key, payload(cast.world.dept_id, client_id=987654))
        error = assert_error(unknown, 400, "VALIDATION_ERROR")
        assert "client_id" in error["message"], error["message"]
        assert await ticket_count(db) == 0

    # --- 413 / 415 / 406 ---------------------------------------------------------------

    @pytest.mark.parametrize(
        "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
    )
    async def test_a_body_that_is_not_json_is_415(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, content_type: str
    ) -> None:
        response = await api.post(
            URL,
            content=b'{"dept_id": 1}',
            headers={**key(cast.client_key), "Content-Type": content_type},
        )
        assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
        assert await ticket_count(db) == 0

    async def test_a_body_over_1_mib_is_413(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        huge = payload(cast.world.dept_id, body="x" * MIB)
        response = await create(api, cast.client_key, huge)
        assert_error(response, 413, "PAYLOAD_TOO_LARGE")
        assert_rate_limit_headers(response)
        assert await ticket_count(db) == 0

    async def test_a_streamed_body_over_1_mib_is_413(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        """No Content-Length announces it: the body is cut off as it arrives."""

        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"body": "'
            for _ in range(17):
                yield b"x" * (64 * 1024)
            yield b'"}'

        response = await api.post(
            URL,
            content=chunks(),
            headers={**key(cast.client_key), "Content-Type": "application/json"},
        )
        assert "content-length" not in response.request.headers
        assert_error(response, 413, "PAYLOAD_TOO_LARGE")

    async def test_a_body_of_just_under_1_mib_is_read(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        """The limit is 1 MiB: a body below it is validated (here: a too long `body`)."""
        near = payload(cast.world.dept_id, body="x" * (MIB - 200))
        error = assert_error(await create(api, cast.client_key, near), 400, "VALIDATION_ERROR")
        assert "body" in error["message"]

    async def test_accept_that_rules_out_json_is_406(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        response = await api.post(
            URL,
            json=payload(cast.world.dept_id),
            headers={**key(cast.client_key), "Accept": "text/html"},
        )
        assert_error(response, 406, "NOT_ACCEPTABLE")

    # --- 429 ---------------------------------------------------------------------------

    async def test_the_keys_rate_limit_gives_429_with_retry_after(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        limited = await conversation_builders.write_key(
            db, cast.world.client_id, rate_limit_per_minute=2
        )
        responses = [await create(api, limited, payload(cast.world.dept_id)) for _ in range(3)]
        assert [response.status_code for response in responses] == [200, 200, 429]
        assert_rate_limited(responses[2])
        for response in responses:
            assert_rate_limit_headers(response)
            assert response.headers["x-ratelimit-limit"] == "2"
        assert await ticket_count(db) == 2, "the refused request opened nothing"

    # --- 200 ---------------------------------------------------------------------------

    async def test_the_answer_is_the_detail_with_number_first_as_an_integer(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        response = await create(api, cast.client_key, payload(cast.world.dept_id))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert list(body) == ["success", "timestamp", "requestId", "data"]
        assert body["success"] is True
        assert TIMESTAMP.match(body["timestamp"])
        assert_request_id(response, body)
        assert_rate_limit_headers(response)
        assert list(body["data"]) == ["ticket"]
        ticket = body["data"]["ticket"]
        assert next(iter(ticket)) == "number"
        assert type(ticket["number"]) is int
        assert f'"ticket":{{"number":{ticket["number"]},"id":"'.encode() in response.content
        rest = {name: value for name, value in ticket.items() if name != "number"}
        seed = {name: value for name, value in seed_ticket().items() if name != "number"}
        assert_seed_shape(rest, seed)
        assert ticket["ticket_number"] == str(ticket["number"])

    async def test_a_new_ticket_follows_the_model(self, api: httpx.AsyncClient, cast: Cast) -> None:
        before = datetime.now(UTC).replace(microsecond=0)
        ticket = created(
            await create(
                api, cast.client_key, payload(cast.world.dept_id, priority=2, subject="  Bounces  ")
            )
        )
        after = datetime.now(UTC)
        assert re.fullmatch(r"[1-9][0-9]{5}", ticket["ticket_number"])
        assert re.fullmatch(r"[a-z0-9]{32}", ticket["acc_hash"])
        assert ticket["subject"] == "Bounces", "the subject is trimmed"
        assert ticket["body"] == "Since this morning every message to gmail.com bounces."
        assert (ticket["status"], ticket["status_color"]) == ("Open", "8bc34a")
        assert ticket["priority"] == "2"
        assert (ticket["admin_read"], ticket["client_read"]) == ("0", "1")
        assert (ticket["type"], ticket["request_type"]) == ("Client", "General")
        assert ticket["client_id"] == ticket["creator_id"] == str(cast.world.client_id)
        assert (ticket["name"], ticket["email"]) == ("Ada Lovelace", "ada@example.com")
        assert ticket["client_group"] == "Gold"
        assert ticket["dept_id"] == str(cast.world.dept_id)
        assert ticket["deptname"] == ticket["org_deptname"] == "Technical Support"
        assert HOSTBILL_DATETIME.match(ticket["date"])
        assert before <= hostbill_time(ticket["date"]) <= after
        assert ticket["lastreply"] == ticket["lastupdate"] == ticket["date"]
        assert ticket["start_date"] == ticket["date"]
        assert ticket["resolve_date"] == ticket["lastedit"] == ticket["deadline"] == ZERO
        assert ticket["senderip"] == "127.0.0.1"
        assert ticket["flags"] == 0
        assert (ticket["parent_id"], ticket["owner_id"], ticket["escalated"]) == ("0", "0", "0")
        for name in ("tags", "metadata", "replies", "attachments", "notes", "linkedServices"):
            assert ticket[name] == [], name

    async def test_the_created_ticket_reads_back_the_same(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        ticket = created(await create(api, cast.client_key, payload(cast.world.dept_id)))
        read = await api.get(f"{URL}/{ticket['number']}", headers=key(cast.client_key))
        assert read.status_code == 200
        shown = read.json()["data"]["ticket"]
        assert shown["number"] == str(ticket["number"])
        volatile = {"number", "viewtime"}
        assert {k: v for k, v in shown.items() if k not in volatile} == {
            k: v for k, v in ticket.items() if k not in volatile
        }

    async def test_numbers_are_distinct(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        numbers = [
            created(await create(api, cast.client_key, payload(cast.world.dept_id)))["number"]
            for _ in range(8)
        ]
        assert len(set(numbers)) == 8
        assert all(100_000 <= number <= 999_999 for number in numbers)

    async def test_resolve_date_comes_from_the_departments_sla(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await conversation_builders.set_department(db, cast.world.dept_id, resolve_within_hours=8)
        ticket = created(await create(api, cast.client_key, payload(cast.world.dept_id)))
        assert hostbill_time(ticket["resolve_date"]) - hostbill_time(ticket["date"]) == timedelta(
            hours=8
        )

    async def test_context_links_the_clients_service_with_the_ai_summary(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        service_id = await builders.service(db, cast.world.client_id)
        body = payload(
            cast.world.dept_id,
            context={"service_type": "vps", "service_id": service_id, "service_name": "ignored"},
            ai_summary="Outbound mail is rejected by gmail.",
        )
        ticket = created(await create(api, cast.client_key, body))
        (link,) = ticket["linkedServices"]
        assert link["ticketNumber"] == ticket["ticket_number"]
        assert link["clientId"] == str(cast.world.client_id)
        assert (link["serviceType"], link["serviceId"]) == ("vps", str(service_id))
        assert link["serviceName"] == "vps-01", "the service's own name, not the caller's word"
        assert link["metadata"] == {
            "status": "Active",
            "nextDue": "2026-12-01",
            "hostname": "vps-01.example.net",
        }
        assert (link["aiSummary"], link["aiHelpful"]) == ("Outbound mail is rejected by gmail.", "")
        assert TIMESTAMP.match(link["createdAt"])
        assert link["createdAt"] == link["updatedAt"]

    async def test_a_client_cannot_open_a_ticket_for_another_client(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        body = payload(cast.world.dept_id, client_id=cast.world.other_client_id)
        ticket = created(await create(api, cast.client_key, body))
        assert ticket["client_id"] == str(cast.world.client_id)
        other = await api.get(f"{URL}/{ticket['number']}", headers=key(cast.other_key))
        assert_error(other, 404, "NOT_FOUND")

    async def test_staff_opens_a_ticket_for_a_client_in_a_hidden_department(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        body = payload(cast.world.hidden_dept_id, client_id=cast.world.other_client_id, priority=3)
        ticket = created(await create(api, cast.staff_key, body))
        assert ticket["type"] == "Admin"
        assert ticket["client_id"] == str(cast.world.other_client_id)
        assert ticket["creator_id"] == str(cast.world.staff_id)
        assert ticket["name"] == "Alan Turing"
        assert ticket["deptname"] == "Abuse"
        assert ticket["priority"] == "3"
        seen = await api.get(f"{URL}/{ticket['number']}", headers=key(cast.other_key))
        assert seen.status_code == 200, "the client it was opened for sees it"

    async def test_staff_opens_a_guest_ticket(self, api: httpx.AsyncClient, cast: Cast) -> None:
        body = payload(cast.world.dept_id, name="Guest User", email="guest@example.org")
        ticket = created(await create(api, cast.staff_key, body))
        assert ticket["client_id"] == "0"
        assert (ticket["name"], ticket["email"]) == ("Guest User", "guest@example.org")
        assert ticket["creator_id"] == str(cast.world.staff_id)
        assert ticket["client_group"] == ""

    async def test_a_bearer_token_works_like_x_api_key(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        response = await api.post(
            URL,
            json=payload(cast.world.dept_id),
            headers={"Authorization": f"Bearer {cast.client_key}"},
        )
        assert type(created(response)["number"]) is int
