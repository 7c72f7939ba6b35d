"""Errors and request ids are shaped by the door of the route that answers, not by the path.

A route names its door through its router's route class; a request that no route matched is
answered by the door whose prefix holds its path, and v1 answers for the rest.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.responses import Response

from supportdesk.api.doors import route_class
from supportdesk.api.v1.door import V1
from supportdesk.api.v2.door import V2
from supportdesk.auth.dependencies import ReadSupport
from supportdesk.core.errors import InvalidField, TicketNotFound
from tests.builders import World
from tests.support import AppFactory, client_for

REQ_ID = re.compile(r"^req_[0-9a-hjkmnp-tv-z]{26}$")


def is_problem(response: httpx.Response) -> bool:
    return response.headers["content-type"] == "application/problem+json"


def assert_v2_shaped(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert is_problem(response)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert REQ_ID.fullmatch(response.headers["x-request-id"])
    assert body["requestId"] == response.headers["x-request-id"]
    return body


def assert_v1_shaped(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) == {"error", "message", "code", "timestamp", "requestId"}
    assert str(uuid.UUID(response.headers["x-request-id"])) == response.headers["x-request-id"]
    assert body["requestId"] == response.headers["x-request-id"]
    return body


def with_foreign_routes(app: FastAPI) -> FastAPI:
    """Routes whose paths lie outside their door's prefixes, and a v1 route under /api/v2."""
    v2_elsewhere = APIRouter(prefix="/elsewhere", route_class=route_class(V2))
    v1_in_v2_space = APIRouter(prefix="/api/v2/legacy", route_class=route_class(V1))

    @v2_elsewhere.get("/tickets/{number}")
    async def v2_missing(number: int, actor: ReadSupport) -> Response:
        raise TicketNotFound()

    @v2_elsewhere.post("/field")
    async def v2_field(actor: ReadSupport) -> Response:
        raise InvalidField("department", "no department you can open tickets in has it.")

    @v1_in_v2_space.get("/tickets/{number}")
    async def v1_missing(number: int, actor: ReadSupport) -> Response:
        raise TicketNotFound()

    @v1_in_v2_space.post("/field")
    async def v1_field(actor: ReadSupport) -> Response:
        raise InvalidField("department", "no department you can open tickets in has it.")

    app.include_router(v2_elsewhere)
    app.include_router(v1_in_v2_space)
    return app


@pytest.fixture
async def foreign(make_app: AppFactory) -> httpx.AsyncClient:
    return client_for(with_foreign_routes(make_app()))


async def test_a_v2_route_outside_v2s_prefix_answers_in_v2s_shape(
    foreign: httpx.AsyncClient, world: World
) -> None:
    headers = {"X-API-Key": world.client_key}
    body = assert_v2_shaped(await foreign.get("/elsewhere/tickets/5", headers=headers), 404)
    assert body["code"] == "not_found"
    # No key: the 401 comes from the route's dependency, in the route's door's shape.
    assert_v2_shaped(await foreign.get("/elsewhere/tickets/5"), 401)
    # The method is wrong but the route matched its path: still the route's door.
    assert_v2_shaped(await foreign.delete("/elsewhere/tickets/5", headers=headers), 405)
    # A domain field, named in v2's terms.
    field = assert_v2_shaped(await foreign.post("/elsewhere/field", headers=headers), 400)
    assert field["errors"][0]["pointer"] == "/departmentSlug"
    assert field["detail"].startswith("Field 'departmentSlug': ")


async def test_a_v1_route_under_v2s_prefix_answers_in_v1s_shape(
    foreign: httpx.AsyncClient, world: World
) -> None:
    headers = {"X-API-Key": world.client_key}
    body = assert_v1_shaped(await foreign.get("/api/v2/legacy/tickets/5", headers=headers), 404)
    assert body["code"] == "NOT_FOUND"
    assert_v1_shaped(await foreign.get("/api/v2/legacy/tickets/5"), 401)
    field = assert_v1_shaped(await foreign.post("/api/v2/legacy/field", headers=headers), 400)
    assert field["message"] == "Field 'dept_id': no department you can open tickets in has it."


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/api/v2/nothing-here", "v2"),
        ("/api/v2", "v2"),
        ("/errors", "v2"),
        ("/api/support/nothing-here", "v1"),
        ("/nothing-here", "v1"),
        ("/api/v2x", "v1"),
    ],
)
async def test_an_unmatched_path_is_answered_by_the_door_whose_prefix_holds_it(
    api: httpx.AsyncClient, path: str, shape: str
) -> None:
    response = await api.get(path)
    if shape == "v2":
        assert_v2_shaped(response, 404)
    else:
        assert_v1_shaped(response, 404)


async def test_a_client_request_id_is_echoed_only_in_its_doors_kind(
    foreign: httpx.AsyncClient, world: World
) -> None:
    v2_id = "req_01m8vet4cbzcbabc2nx814adtd"
    v1_id = "2121ae20-bd9d-41e9-aeeb-5dd1dd1a24ba"
    headers = {"X-API-Key": world.client_key}
    echoed = await foreign.get("/elsewhere/tickets/5", headers={**headers, "X-Request-Id": v2_id})
    assert echoed.headers["x-request-id"] == v2_id
    refused = await foreign.get("/elsewhere/tickets/5", headers={**headers, "X-Request-Id": v1_id})
    assert REQ_ID.fullmatch(refused.headers["x-request-id"])
    legacy = await foreign.get(
        "/api/v2/legacy/tickets/5", headers={**headers, "X-Request-Id": v1_id}
    )
    assert legacy.headers["x-request-id"] == v1_id
