"""What the middleware gives every v1 response: a request id, the error shape, refusals."""

from __future__ import annotations

import uuid

import httpx
import pytest

from supportdesk.core.db import Database
from tests import builders
from tests.api.assertions import assert_error, assert_rate_limit_headers, assert_request_id
from tests.builders import World

TICKET = "/api/support/tickets/616828"


@pytest.fixture
async def ticket(db: Database, world: World) -> builders.BuiltTicket:
    return await builders.ticket(
        db, number=616828, dept_id=world.dept_id, client_id=world.client_id
    )


class TestRequestIds:
    async def test_every_response_has_a_uuid_request_id_matching_its_body(
        self, api: httpx.AsyncClient, world: World, ticket: builders.BuiltTicket
    ) -> None:
        ok = await api.get(TICKET, headers={"X-API-Key": world.client_key})
        assert_request_id(ok, ok.json())
        missing = await api.get(TICKET)
        assert_request_id(missing, missing.json())
        unknown_route = await api.get("/api/support/nope")
        assert_request_id(unknown_route, unknown_route.json())
        refused = await api.get(TICKET, headers={"Accept": "text/html"})
        assert_request_id(refused, refused.json())
        ids = {
            response.headers["x-request-id"] for response in (ok, missing, unknown_route, refused)
        }
        assert len(ids) == 4

    @pytest.mark.parametrize("authenticated", [True, False])
    async def test_a_well_formed_client_request_id_is_echoed(
        self,
        api: httpx.AsyncClient,
        world: World,
        ticket: builders.BuiltTicket,
        authenticated: bool,
    ) -> None:
        offered = str(uuid.uuid4())
        headers = {"X-Request-Id": offered}
        if authenticated:
            headers["X-API-Key"] = world.client_key
        response = await api.get(TICKET, headers=headers)
        assert response.headers["x-request-id"] == offered
        assert response.json()["requestId"] == offered

    @pytest.mark.parametrize(
        "offered",
        [
            "abc",
            "a" * 100,
            str(uuid.uuid4()) + "x",
            " " + str(uuid.uuid4()) + "; rm -rf /",
            "req_01jdqv3m3b0d1k8g9xw4p2c7ha",
        ],
    )
    async def test_a_malformed_client_request_id_is_replaced(
        self, api: httpx.AsyncClient, world: World, ticket: builders.BuiltTicket, offered: str
    ) -> None:
        response = await api.get(
            TICKET, headers={"X-Request-Id": offered, "X-API-Key": world.client_key}
        )
        assert response.status_code == 200
        request_id = assert_request_id(response, response.json())
        assert request_id != offered


class TestGenericRefusals:
    @pytest.mark.parametrize("path", ["/api/support/nope", "/nope", "/api/support/tickets/1/x"])
    async def test_unknown_routes_get_the_v1_404(self, api: httpx.AsyncClient, path: str) -> None:
        response = await api.get(path)
        assert_error(response, 404, "NOT_FOUND")
        assert_rate_limit_headers(response)

    async def test_406_comes_before_authentication(self, api: httpx.AsyncClient) -> None:
        response = await api.get(TICKET, headers={"Accept": "text/html"})
        assert_error(response, 406, "NOT_ACCEPTABLE")
        assert_rate_limit_headers(response)


@pytest.mark.parametrize("digits", [19, 30, 5000])
async def test_a_content_length_past_any_number_is_413_not_a_crash(
    api: httpx.AsyncClient, digits: int
) -> None:
    """A length of more digits than Python's int() reads (4,300) is larger than the limit too;
    uvicorn refuses such a header itself, another ASGI server may pass it on."""
    response = await api.post(
        "/api/support/tickets",
        content=b"{}",
        headers={"Content-Type": "application/json", "Content-Length": "9" * digits},
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
