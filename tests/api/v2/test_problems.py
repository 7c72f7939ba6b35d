"""v2 errors: RFC 9457 problem documents, `/errors/<code>`, and `req_` request ids (v2.md)."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from supportdesk.api.v2.problems import CODES
from supportdesk.core.db import Database
from tests import builders
from tests.api.assertions import assert_rate_limit_headers
from tests.api.v2.assertions import (
    DOCUMENTED_CODES,
    PROBLEM_KEYS,
    REQUEST_ID,
    assert_invalid,
    assert_problem,
    assert_v2_request_id,
    key,
)
from tests.api.v2.calls import TICKETS
from tests.conversation_builders import Cast

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
OFFERED = "req_01jdqv3m3b0d1k8g9xw4p2c7ha"


def ulid_millis(request_id: str) -> int:
    """The millisecond timestamp in the first ten characters of a ULID."""
    value = 0
    for char in request_id.removeprefix("req_")[:10]:
        value = value * 32 + CROCKFORD.index(char)
    return value


class TestErrorCodes:
    @pytest.mark.parametrize("code", sorted(CODES))
    async def test_every_code_is_described_at_its_type(
        self, api: httpx.AsyncClient, code: str
    ) -> None:
        response = await api.get(f"/errors/{code}")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        status, title, description = CODES[code]
        assert response.json() == {
            "type": f"/errors/{code}",
            "code": code,
            "title": title,
            "status": status,
            "description": description,
        }
        assert 400 <= status <= 599
        assert description.strip()
        assert_v2_request_id(response)
        assert_rate_limit_headers(response)

    def test_every_code_v2_md_lists_is_known(self) -> None:
        assert set(DOCUMENTED_CODES) <= set(CODES)

    async def test_an_unknown_code_is_a_404_problem(self, api: httpx.AsyncClient) -> None:
        for code in ("nope", "INVALID_REQUEST", "not found"):
            response = await api.get(f"/errors/{code}")
            assert_problem(response, 404, "not_found")

    async def test_errors_pages_answer_json_only(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/errors/not_found", headers={"Accept": "text/html"})
        assert_problem(response, 406, "not_acceptable")

    async def test_a_problems_type_leads_to_its_description(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await builders.ticket(
            db,
            number=616828,
            dept_id=cast.world.dept_id,
            client_id=cast.world.client_id,
            status="Closed",
        )
        problems = [
            await api.get(TICKETS),
            await api.get(TICKETS, headers=key(cast.account_only_key)),
            await api.get(f"{TICKETS}/999999", headers=key(cast.client_key)),
            await api.get(TICKETS, params={"limit": 0}, headers=key(cast.client_key)),
            await api.get(TICKETS, params={"cursor": "x"}, headers=key(cast.client_key)),
            await api.post(
                f"{TICKETS}/616828/messages", headers=key(cast.client_key), json={"message": "x"}
            ),
        ]
        for problem in problems:
            body = problem.json()
            described = await api.get(body["type"])
            assert described.status_code == 200, body["type"]
            assert described.json()["status"] == body["status"] == problem.status_code
            assert described.json()["title"] == body["title"]
            assert described.json()["code"] == body["code"]


class TestProblemDocuments:
    async def test_the_shape_of_a_problem(self, api: httpx.AsyncClient, cast: Cast) -> None:
        response = await api.get(f"{TICKETS}/999999", headers=key(cast.client_key))
        body = assert_problem(response, 404, "not_found")
        assert list(body) == PROBLEM_KEYS, "`errors` only for invalid_request"
        assert body["instance"] == "/api/v2/support/tickets/999999"
        assert type(body["status"]) is int

    async def test_invalid_request_lists_pointer_detail_and_code(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        response = await api.get(
            TICKETS, params={"limit": "abc", "status": "nope"}, headers=key(cast.client_key)
        )
        body = assert_invalid(response, "?limit")
        assert {e["pointer"] for e in body["errors"]} == {"?limit", "?status"}
        assert body["detail"] == body["errors"][0]["detail"]
        codes = {e["pointer"]: e["code"] for e in body["errors"]}
        assert codes["?status"] == "not_allowed"

    async def test_an_unknown_v2_route_is_a_404_problem(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        for path in ("/api/v2/nope", "/api/v2/support/tickets/1/nope", "/errors"):
            response = await api.get(path, headers=key(cast.client_key))
            assert_problem(response, 404, "not_found")
            assert_rate_limit_headers(response)

    async def test_a_wrong_method_is_a_405_problem_with_allow(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        response = await api.delete(TICKETS, headers=key(cast.client_key))
        assert_problem(response, 405, "method_not_allowed")
        assert {"GET", "POST"} <= {m.strip() for m in response.headers["allow"].split(",")}

    async def test_refusals_before_routing_are_problems_too(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        not_acceptable = await api.get(TICKETS, headers={"Accept": "application/xml"})
        assert_problem(not_acceptable, 406, "not_acceptable")
        too_large = await api.post(
            TICKETS,
            content=b"{" + b" " * (1024 * 1024) + b"}",
            headers={**key(cast.client_key), "Content-Type": "application/json"},
        )
        assert_problem(too_large, 413, "payload_too_large")

    async def test_v1_paths_keep_v1_errors(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/api/support/tickets/999999")
        assert response.headers["content-type"] == "application/json"
        assert list(response.json()) == ["error", "message", "code", "timestamp", "requestId"]


class TestRequestIds:
    async def test_every_response_gets_a_fresh_v2_id(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        before = int(time.time() * 1000)
        responses = [
            await api.get(TICKETS, headers=key(cast.client_key)),
            await api.get(TICKETS),
            await api.get(f"{TICKETS}/999999", headers=key(cast.client_key)),
            await api.get("/errors/not_found"),
            await api.get("/api/v2/nope"),
            await api.get(TICKETS, headers={"Accept": "text/html"}),
        ]
        after = int(time.time() * 1000)
        ids = []
        for response in responses:
            body = response.json() if response.status_code >= 400 else None
            request_id = assert_v2_request_id(response, body)
            assert len(request_id) == len("req_") + 26
            assert before - 1000 <= ulid_millis(request_id) <= after + 1000, "a ULID of now"
            ids.append(request_id)
        assert len(set(ids)) == len(ids)

    @pytest.mark.parametrize("authenticated", [True, False])
    async def test_a_well_formed_v2_id_is_echoed(
        self, api: httpx.AsyncClient, cast: Cast, authenticated: bool
    ) -> None:
        headers = {"X-Request-Id": OFFERED, **(key(cast.client_key) if authenticated else {})}
        response = await api.get(TICKETS, headers=headers)
        assert response.status_code == (200 if authenticated else 401)
        assert response.headers["x-request-id"] == OFFERED
        if not authenticated:
            assert response.json()["requestId"] == OFFERED

    async def test_an_id_is_echoed_on_refusals_before_routing(self, api: httpx.AsyncClient) -> None:
        response = await api.get(TICKETS, headers={"X-Request-Id": OFFERED, "Accept": "text/html"})
        assert response.status_code == 406
        assert response.json()["requestId"] == response.headers["x-request-id"] == OFFERED

    @pytest.mark.parametrize(
        "offered",
        [
            OFFERED.upper(),
            OFFERED[:-1],
            OFFERED + "a",
            "req_" + "i" * 26,
            "req_" + "u" * 26,
            " " + OFFERED,
            OFFERED + "; rm -rf /",
            "tkt_01jdqv3m3b0d1k8g9xw4p2c7ha",
            str(uuid.uuid4()),
            "",
        ],
        ids=[
            "uppercase",
            "short",
            "long",
            "i-not-crockford",
            "u-not-crockford",
            "leading-space",
            "injection",
            "other-prefix",
            "v1-uuid",
            "empty",
        ],
    )
    async def test_anything_else_is_replaced_by_a_fresh_id(
        self, api: httpx.AsyncClient, cast: Cast, offered: str
    ) -> None:
        response = await api.get(TICKETS, headers={"X-Request-Id": offered})
        body = assert_problem(response, 401, "unauthorized")
        assert body["requestId"] != offered
        assert REQUEST_ID.match(body["requestId"])

    async def test_a_v2_id_is_not_echoed_on_v1(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/api/support/departments", headers={"X-Request-Id": OFFERED})
        assert response.headers["x-request-id"] != OFFERED
        assert str(uuid.UUID(response.headers["x-request-id"])) == response.headers["x-request-id"]
