"""`POST /api/v2/support/tickets`: open a ticket; 201 with the detail (v2.md)."""

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
from tests.api.assertions import assert_rate_limit_headers
from tests.api.v2.assertions import (
    TIMESTAMP,
    assert_invalid,
    assert_problem,
    assert_rate_limited_problem,
    assert_ticket_shape,
    assert_v2_request_id,
    key,
)
from tests.api.v2.calls import LOG, TICKETS, new_ticket, open_ticket, uploaded
from tests.conversation_builders import Cast, ticket_count

MIB = 1024 * 1024


async def create(api: httpx.AsyncClient, api_key: str, body: Any) -> httpx.Response:
    return await api.post(TICKETS, headers=key(api_key), json=body)


# (field, value — None drops the field, the pointer `errors[]` must carry)
BODY_ERRORS: list[tuple[str, Any, str]] = [
    ("departmentSlug", None, "/departmentSlug"),
    ("departmentSlug", "Technical Support", "/departmentSlug"),
    ("departmentSlug", 1, "/departmentSlug"),
    ("subject", None, "/subject"),
    ("subject", "", "/subject"),
    ("subject", "   ", "/subject"),
    ("subject", "x" * 256, "/subject"),
    ("subject", "nul\x00", "/subject"),
    ("message", None, "/message"),
    ("message", "", "/message"),
    ("message", "x" * 65_536, "/message"),
    ("message", "nul\x00", "/message"),
    ("priority", "URGENT", "/priority"),
    ("priority", 3, "/priority"),
    ("ccEmails", "boss@example.com", "/ccEmails"),
    ("ccEmails", ["boss@example.com", "not-an-address"], "/ccEmails/1"),
    ("ccEmails", [f"cc{i}@example.com" for i in range(21)], "/ccEmails"),
    ("context", {"serviceType": "server", "serviceId": 1}, "/context/serviceType"),
    ("context", {"serviceType": "vps"}, "/context/serviceId"),
    ("context", {"serviceType": "vps", "serviceId": "abc"}, "/context/serviceId"),
    ("aiSummary", "nul\x00", "/aiSummary"),
    ("aiHelpful", "yes", "/aiHelpful"),
    ("criticalReason", "", "/criticalReason"),
    ("attachmentIds", ["tatt_" + "0" * 26], "/attachmentIds/0"),
    ("attachmentIds", "satt_" + "0" * 26, "/attachmentIds"),
    ("clientId", "7", "/clientId"),
    ("unexpected", 1, "/unexpected"),
]


def _readable(cases: list[tuple[str, Any, str]]) -> list[Any]:
    """`pytest.param`s named `<pointer>#<n>`, so that a failure says which field it was."""
    seen: dict[str, int] = {}
    params = []
    for field, value, pointer in cases:
        seen[pointer] = seen.get(pointer, 0) + 1
        params.append(pytest.param(field, value, pointer, id=f"{pointer}#{seen[pointer]}"))
    return params


class TestCreateTicket:
    # --- 401 / 403 ---------------------------------------------------------------------

    async def test_no_key_is_401_unauthorized(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        response = await api.post(TICKETS, json=new_ticket(cast.dept_slug))
        assert_problem(response, 401, "unauthorized")
        assert_rate_limit_headers(response)
        assert await ticket_count(db) == 0

    @pytest.mark.parametrize(
        ("content", "content_type"),
        [(b"subject=Mail", "application/x-www-form-urlencoded"), (b'{"subject": ', None)],
        ids=["not-json", "malformed-json"],
    )
    async def test_no_key_is_401_whatever_the_body(
        self, api: httpx.AsyncClient, cast: Cast, content: bytes, content_type: str | None
    ) -> None:
        """README "order of checks": no key is 401 before anything is said about the body
        (as the upload route already does)."""
        headers = {"Content-Type": content_type or "application/json"}
        response = await api.post(TICKETS, content=content, headers=headers)
        assert_problem(response, 401, "unauthorized")

    async def test_a_bad_key_is_401_unauthorized(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        for presented in ("junk", tokens.generate()):
            response = await create(api, presented, new_ticket(cast.dept_slug))
            assert_problem(response, 401, "unauthorized")
        assert await ticket_count(db) == 0

    async def test_a_key_without_write_support_is_403_forbidden(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        response = await create(api, cast.read_only_key, new_ticket(cast.dept_slug))
        body = assert_problem(response, 403, "forbidden")
        assert "write:support" in body["detail"]
        assert await ticket_count(db) == 0

    # --- 400: the body, with pointers ------------------------------------------------

    @pytest.mark.parametrize(("field", "value", "pointer"), _readable(BODY_ERRORS))
    async def test_a_missing_or_wrong_field_is_400_pointing_at_it(
        self,
        api: httpx.AsyncClient,
        db: Database,
        cast: Cast,
        field: str,
        value: Any,
        pointer: str,
    ) -> None:
        body = new_ticket(cast.dept_slug)
        if value is None:
            del body[field]
        else:
            body[field] = value
        problem = assert_invalid(await create(api, cast.client_key, body), pointer)
        assert field in problem["detail"]
        assert await ticket_count(db) == 0

    async def test_every_wrong_field_is_listed(self, api: httpx.AsyncClient, cast: Cast) -> None:
        body = {"departmentSlug": cast.dept_slug, "subject": "", "priority": "asap"}
        problem = assert_invalid(await create(api, cast.client_key, body), "/subject")
        assert sorted(e["pointer"] for e in problem["errors"]) == [
            "/message",
            "/priority",
            "/subject",
        ]
        codes = {e["pointer"]: e["code"] for e in problem["errors"]}
        assert codes["/message"] == "required"

    async def test_critical_needs_a_reason(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        response = await create(
            api, cast.client_key, new_ticket(cast.dept_slug, priority="critical")
        )
        problem = assert_invalid(response, "/criticalReason")
        assert problem["errors"] == [
            {
                "pointer": "/criticalReason",
                "detail": "Required when priority is critical.",
                "code": "required",
            }
        ]
        assert await ticket_count(db) == 0

    @pytest.mark.parametrize("which", ["hidden", "unknown"])
    async def test_a_department_the_client_cannot_use_is_400_pointing_at_it(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, which: str
    ) -> None:
        slug = cast.hidden_dept_slug if which == "hidden" else "no-such-department"
        assert_invalid(await create(api, cast.client_key, new_ticket(slug)), "/departmentSlug")
        assert await ticket_count(db) == 0

    @pytest.mark.parametrize("whose", ["another client's", "wrong type"])
    async def test_a_service_that_is_not_the_callers_is_400_pointing_at_it(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, whose: str
    ) -> None:
        owner = cast.world.other_client_id if whose == "another client's" else cast.world.client_id
        service_id = await builders.service(db, owner)
        context = {
            "serviceType": "domain" if whose == "wrong type" else "vps",
            "serviceId": service_id,
        }
        response = await create(api, cast.client_key, new_ticket(cast.dept_slug, context=context))
        assert_invalid(response, "/context/serviceId")
        assert await ticket_count(db) == 0

    @pytest.mark.parametrize("whose", ["unknown", "another client's", "already attached"])
    async def test_an_upload_that_is_not_the_callers_to_attach_is_400(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, whose: str
    ) -> None:
        if whose == "unknown":
            upload_id = "satt_" + "0" * 26
        elif whose == "another client's":
            upload_id = await uploaded(api, cast.other_key)
        else:
            upload_id = await uploaded(api, cast.client_key)
            await open_ticket(api, cast.client_key, cast.dept_slug, attachmentIds=[upload_id])
        before = await ticket_count(db)
        response = await create(
            api, cast.client_key, new_ticket(cast.dept_slug, attachmentIds=[upload_id])
        )
        assert_invalid(response, "/attachmentIds")
        assert await ticket_count(db) == before, "the ticket was rolled back with the claim"

    async def test_a_staff_key_must_name_the_client(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        assert_invalid(await create(api, cast.staff_key, new_ticket(cast.dept_slug)), "/clientId")
        unknown = await create(api, cast.staff_key, new_ticket(cast.dept_slug, clientId=987654))
        assert_invalid(unknown, "/clientId")
        assert await ticket_count(db) == 0

    async def test_malformed_json_is_400_pointing_at_the_whole_body(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        """The pointer is a JSON pointer into the body: for a body that is not JSON at all,
        the whole document (""), not a byte offset."""
        response = await api.post(
            TICKETS,
            content=b'{"subject": ',
            headers={**key(cast.client_key), "Content-Type": "application/json"},
        )
        problem = assert_invalid(response, "")
        assert "JSON" in problem["detail"]

    @pytest.mark.parametrize("content", [b"[]", b"null", b'"text"'])
    async def test_a_body_that_is_not_an_object_is_400(
        self, api: httpx.AsyncClient, cast: Cast, content: bytes
    ) -> None:
        response = await api.post(
            TICKETS,
            content=content,
            headers={**key(cast.client_key), "Content-Type": "application/json"},
        )
        assert_problem(response, 400, "invalid_request")

    # --- 413 / 415 ---------------------------------------------------------------------

    @pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=x"])
    async def test_a_body_that_is_not_json_is_415(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, content_type: str
    ) -> None:
        response = await api.post(
            TICKETS,
            content=b'{"subject": "x"}',
            headers={**key(cast.client_key), "Content-Type": content_type},
        )
        assert_problem(response, 415, "unsupported_media_type")
        assert await ticket_count(db) == 0

    async def test_a_body_over_1_mib_is_413(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        huge = new_ticket(cast.dept_slug, message="x" * MIB)
        assert_problem(await create(api, cast.client_key, huge), 413, "payload_too_large")

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(17):
                yield b" " * (64 * 1024)

        streamed = await api.post(
            TICKETS,
            content=chunks(),
            headers={**key(cast.client_key), "Content-Type": "application/json"},
        )
        assert_problem(streamed, 413, "payload_too_large")
        assert await ticket_count(db) == 0

    # --- 429 ---------------------------------------------------------------------------

    async def test_the_keys_rate_limit_gives_429(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        limited = await conversation_builders.write_key(
            db, cast.world.client_id, rate_limit_per_minute=1
        )
        assert (await create(api, limited, new_ticket(cast.dept_slug))).status_code == 201
        refused = await create(api, limited, new_ticket(cast.dept_slug))
        assert_rate_limited_problem(refused)
        assert int(refused.headers["retry-after"]) <= 60
        assert await ticket_count(db) == 1

    async def test_one_critical_ticket_per_client_per_hour(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        critical = {"priority": "critical", "criticalReason": "All sites are down."}
        first = await open_ticket(api, cast.client_key, cast.dept_slug, **critical)
        assert first["priority"] == "critical"
        second = await create(api, cast.client_key, new_ticket(cast.dept_slug, **critical))
        retry_after = assert_rate_limited_problem(second)
        assert 3500 <= retry_after <= 3601, "until the first one is an hour old"
        assert "critical" in second.json()["detail"]
        assert "reply" in second.json()["detail"]
        assert await ticket_count(db) == 1
        # Other priorities, and other clients, are not held back.
        await open_ticket(api, cast.client_key, cast.dept_slug, priority="urgent")
        await open_ticket(api, cast.other_key, cast.dept_slug, **critical)
        assert await ticket_count(db) == 3

    async def test_a_critical_ticket_older_than_an_hour_does_not_count(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await builders.ticket(
            db,
            number=100001,
            dept_id=cast.world.dept_id,
            client_id=cast.world.client_id,
            priority="critical",
            created_at=datetime.now(UTC) - timedelta(minutes=61),
        )
        critical = {"priority": "critical", "criticalReason": "Down again."}
        await open_ticket(api, cast.client_key, cast.dept_slug, **critical)
        recent = await create(api, cast.client_key, new_ticket(cast.dept_slug, **critical))
        assert_rate_limited_problem(recent)

    # --- 201 ---------------------------------------------------------------------------

    async def test_the_answer_is_201_with_the_detail(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        response = await create(api, cast.client_key, new_ticket(cast.dept_slug))
        assert response.status_code == 201, response.text
        assert response.headers["content-type"] == "application/json"
        assert_v2_request_id(response)
        assert_rate_limit_headers(response)
        ticket = response.json()
        assert_ticket_shape(ticket, detail=True)
        assert re.fullmatch(r"[1-9][0-9]{5}", ticket["number"])
        assert ticket["subject"] == "Mail bounces"
        assert ticket["body"] == "Since this morning every message to gmail.com bounces."
        assert (ticket["status"], ticket["priority"]) == ("open", "medium")
        assert (ticket["departmentSlug"], ticket["departmentName"]) == (
            cast.dept_slug,
            "Technical Support",
        )
        assert ticket["requesterName"] == "Ada Lovelace"
        assert ticket["createdAt"] == ticket["updatedAt"] == ticket["lastMessageAt"]
        now = datetime.now(UTC)
        created = datetime.fromisoformat(ticket["createdAt"])
        assert timedelta(0) <= now - created < timedelta(seconds=30)
        assert ticket["messages"] == ticket["attachments"] == ticket["linkedServices"] == []
        assert ticket["ccEmails"] == []
        assert (ticket["messageCount"], ticket["aiSummary"], ticket["aiHelpful"]) == (0, None, None)
        shown = await api.get(f"{TICKETS}/{ticket['id']}", headers=key(cast.client_key))
        assert shown.json() == ticket

    async def test_every_optional_field_is_kept(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        service_id = await builders.service(db, cast.world.client_id, service_type="domain")
        ticket = await open_ticket(
            api,
            cast.client_key,
            cast.dept_slug,
            subject="  Site down  ",
            priority="critical",
            criticalReason="Checkout is down.",
            ccEmails=["boss@example.com", " cto@example.com "],
            context={"serviceType": "domain", "serviceId": str(service_id)},
            aiSummary="DNS points to the old server.",
            aiHelpful=False,
        )
        assert ticket["subject"] == "Site down"
        assert ticket["priority"] == "critical"
        assert ticket["ccEmails"] == ["boss@example.com", "cto@example.com"]
        (link,) = ticket["linkedServices"]
        assert (link["serviceType"], link["serviceId"], link["serviceName"]) == (
            "domain",
            str(service_id),
            "vps-01",
        )
        assert (ticket["aiSummary"], ticket["aiHelpful"]) == (
            "DNS points to the old server.",
            False,
        )
        stored = await conversation_builders.ticket_row(db, int(ticket["number"]))
        assert stored["critical_reason"] == "Checkout is down."

    async def test_uploads_named_in_attachment_ids_go_on_the_opening_message(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        first = await uploaded(api, cast.client_key)
        second = await uploaded(api, cast.client_key, b'{"queue": 12}', "queue.json")
        ticket = await open_ticket(
            api, cast.client_key, cast.dept_slug, attachmentIds=[first, second, first]
        )
        files = ticket["attachments"]
        assert [(f["filename"], f["contentType"]) for f in files] == [
            ("bounce.log", "text/plain"),
            ("queue.json", "application/json"),
        ]
        assert files[0]["byteLength"] == len(LOG)
        assert all(TIMESTAMP.match(f["uploadedAt"]) for f in files)
        assert ticket["messages"] == []
        download = await api.get(files[0]["downloadUrl"], headers=key(cast.client_key))
        assert download.status_code == 200
        assert download.content == LOG

    async def test_staff_opens_a_ticket_for_a_client(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        ticket = await open_ticket(
            api,
            cast.staff_key,
            cast.hidden_dept_slug,
            clientId=cast.world.other_client_id,
            priority="low",
        )
        assert ticket["requesterName"] == "Alan Turing"
        assert ticket["departmentName"] == "Abuse"
        theirs = await api.get(f"{TICKETS}/{ticket['id']}", headers=key(cast.other_key))
        assert theirs.status_code == 200
        assert theirs.json()["priority"] == "low"

    async def test_a_client_cannot_open_a_ticket_for_another_client(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        ticket = await open_ticket(
            api, cast.client_key, cast.dept_slug, clientId=cast.world.other_client_id
        )
        assert ticket["requesterName"] == "Ada Lovelace"
        other = await api.get(f"{TICKETS}/{ticket['id']}", headers=key(cast.other_key))
        assert_problem(other, 404, "not_found")


class TestAcrossGenerations:
    async def test_a_ticket_opened_in_v2_reads_the_same_in_v1(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        service_id = await builders.service(db, cast.world.client_id)
        ticket = await open_ticket(
            api,
            cast.client_key,
            cast.dept_slug,
            priority="critical",
            criticalReason="Down.",
            ccEmails=["boss@example.com", "cto@example.com"],
            context={"serviceType": "vps", "serviceId": service_id},
            aiSummary="Disk full.",
            aiHelpful=True,
        )
        response = await api.get(
            f"/api/support/tickets/{ticket['number']}", headers=key(cast.client_key)
        )
        assert response.status_code == 200, response.text
        v1 = response.json()["data"]["ticket"]
        assert v1["number"] == v1["ticket_number"] == ticket["number"]
        assert (v1["subject"], v1["body"]) == (ticket["subject"], ticket["body"])
        assert (v1["status"], v1["priority"]) == ("Open", "3"), "critical shows as 3 in v1"
        assert v1["cc"] == "boss@example.com,cto@example.com"
        assert v1["deptname"] == ticket["departmentName"]
        assert v1["dept_id"] == str(cast.world.dept_id)
        assert v1["name"] == ticket["requesterName"]
        assert (v1["type"], v1["client_id"]) == ("Client", str(cast.world.client_id))
        assert v1["date"] == ticket["createdAt"][:19].replace("T", " ")
        assert v1["lastreply"] == v1["lastupdate"] == v1["date"]
        (link,) = v1["linkedServices"]
        assert (link["serviceId"], link["aiSummary"], link["aiHelpful"]) == (
            str(service_id),
            "Disk full.",
            "1",
        )
        assert v1["replies"] == v1["attachments"] == []
