"""Requests and checks the conversation tests share."""

from __future__ import annotations

from typing import Any

import httpx

from supportdesk.core.db import Database
from tests import builders
from tests.api.v2.assertions import PROBLEM_KEYS, assert_v2_request_id, key
from tests.api.v2.calls import TICKETS
from tests.conversation.conftest import Desk
from tests.conversation_builders import public_id_of


async def ticket_of(desk: Desk, db: Database, number: int, **columns: Any) -> str:
    """A ticket of the desk's client (any column by name): its `tkt_` id."""
    built = await builders.ticket(
        db,
        number=number,
        dept_id=desk.cast.world.dept_id,
        client_id=columns.pop("client_id", desk.client_id),
        **columns,
    )
    return await public_id_of(db, built.id)


async def post(api: httpx.AsyncClient, api_key: str, ref: str, **body: Any) -> httpx.Response:
    return await api.post(
        f"{TICKETS}/{ref}/messages", headers=key(api_key), json={"message": "Hello.", **body}
    )


async def detail(api: httpx.AsyncClient, api_key: str, ref: str | int) -> dict[str, Any]:
    response = await api.get(f"{TICKETS}/{ref}", headers=key(api_key))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def events(api: httpx.AsyncClient, api_key: str, ref: str | int) -> list[dict[str, Any]]:
    """Every event of the ticket, through the timeline route's pages."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        response = await api.get(f"{TICKETS}/{ref}/events", headers=key(api_key), params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        found += page["data"]
        cursor = page["nextCursor"]
        if not page["hasMore"]:
            return found


def assert_conflict(
    response: httpx.Response, code: str, extensions: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A 409 problem document with `code`, and exactly the extension members named."""
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert list(body) == [*PROBLEM_KEYS, *extensions], body
    assert body["code"] == code
    assert body["type"] == f"/errors/{code}"
    assert_v2_request_id(response, body)
    return body
