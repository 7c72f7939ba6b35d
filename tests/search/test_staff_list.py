"""Staff's filters and sorts on the v2 list (desk.md "Listing and search"), each cursor-paged in
its own order; a client's key sending one gets 400 naming it; one statement per page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from supportdesk.core.clock import utcnow
from supportdesk.core.db import Database
from tests import builders
from tests.api.v2.assertions import assert_invalid, assert_problem, key, pointers
from tests.builders import OPENED
from tests.conversation_builders import Cast
from tests.search.listing import URL, numbers
from tests.support import recorded_statements

PAST = utcnow() - timedelta(days=1)
FUTURE = utcnow() + timedelta(days=1)


@pytest.fixture
async def queue(db: Database, cast: Cast) -> Cast:
    """Eight tickets, number n active n hours after OPENED (so 8 is the newest)."""
    world = cast.world
    rows: list[dict[str, Any]] = [
        {"owner_id": world.staff_id, "priority": "low", "resolve_date": PAST},
        {"owner_id": world.staff_id, "priority": "critical", "tags": ["vip"]},
        {"owner_id": world.owner_id, "priority": "high", "escalated": 1, "resolve_date": FUTURE},
        {"priority": "urgent", "admin_read": True, "resolve_date": PAST, "status": "Closed"},
        {"priority": "high", "admin_read": True, "tags": ["vip", "dns"]},
        {"client_id": world.other_client_id, "resolve_date": FUTURE, "escalated": 2},
        {"client_id": world.other_client_id, "priority": "low", "resolve_date": PAST},
        {"owner_id": world.owner_id, "admin_read": True},
    ]
    for number, row in enumerate(rows, start=1):
        values = {"client_id": world.client_id, **row}
        await builders.ticket(
            db, number=number, dept_id=world.dept_id,
            updated_at=OPENED + timedelta(hours=number), **values,
        )  # fmt: skip
    return cast


def test_fixture_times_are_on_either_side_of_now() -> None:
    assert PAST < utcnow() < FUTURE


FILTERS = [
    ({}, [8, 7, 6, 5, 4, 3, 2, 1]),
    ({"ownerId": "me"}, [2, 1]),
    ({"ownerId": "none"}, [7, 6, 5, 4]),
    ({"ownerId": "OWNER"}, [8, 3]),
    ({"ownerId": "999999"}, []),
    ({"clientId": "OTHER"}, [7, 6]),
    ({"priority": "high"}, [5, 3]),
    ({"tag": "vip"}, [5, 2]),
    ({"tag": "dns"}, [5]),
    ({"tag": "nothing"}, []),
    ({"escalated": "true"}, [6, 3]),
    ({"escalated": "false"}, [8, 7, 5, 4, 2, 1]),
    ({"overdue": "true"}, [7, 1]),
    ({"overdue": "false"}, [8, 6, 5, 4, 3, 2]),
    ({"unread": "true"}, [7, 6, 3, 2, 1]),
    ({"unread": "false"}, [8, 5, 4]),
    ({"ownerId": "none", "unread": "true", "escalated": "true"}, [6]),
    ({"sort": "-priority"}, [2, 4, 5, 3, 8, 6, 7, 1]),
    ({"sort": "resolveBy"}, [1, 4, 7, 3, 6, 2, 5, 8]),
    ({"sort": "-updatedAt"}, [8, 7, 6, 5, 4, 3, 2, 1]),
    ({"sort": "-priority", "clientId": "OTHER"}, [6, 7]),
    ({"sort": "resolveBy", "overdue": "false"}, [4, 3, 6, 2, 5, 8]),
]


def _named(params: dict[str, str], cast: Cast) -> dict[str, str]:
    names = {"OWNER": str(cast.world.owner_id), "OTHER": str(cast.world.other_client_id)}
    return {name: names.get(value, value) for name, value in params.items()}


@pytest.mark.parametrize(("params", "expected"), FILTERS, ids=[str(p) for p, _ in FILTERS])
@pytest.mark.parametrize("limit", [1, 3, 20])
async def test_each_filter_and_sort_pages_through_its_tickets(
    api: httpx.AsyncClient, queue: Cast, params: dict[str, str], expected: list[int], limit: int
) -> None:
    found = await numbers(api, queue.staff_key, limit=limit, **_named(params, queue))
    assert found == expected


async def test_a_cursor_of_one_sort_is_refused_by_another(
    api: httpx.AsyncClient, queue: Cast
) -> None:
    cursors = {}
    for sort in ("-updatedAt", "-priority", "resolveBy"):
        page = await api.get(URL, params={"sort": sort, "limit": 2}, headers=key(queue.staff_key))
        cursors[sort] = page.json()["nextCursor"]
    for issued, cursor in cursors.items():
        for sort in cursors:
            response = await api.get(
                URL, params={"sort": sort, "cursor": cursor, "limit": 2},
                headers=key(queue.staff_key),
            )  # fmt: skip
            if sort == issued:
                assert response.status_code == 200
            else:
                assert_problem(response, 400, "invalid_cursor")
        searched = await api.get(
            URL, params={"sort": issued, "cursor": cursor, "q": "vps"}, headers=key(queue.staff_key)
        )
        assert_problem(searched, 400, "invalid_cursor")


STAFF_ONLY = {
    "ownerId": "me",
    "clientId": "1",
    "priority": "high",
    "tag": "vip",
    "escalated": "true",
    "overdue": "false",
    "unread": "true",
    "sort": "-priority",
}


@pytest.mark.parametrize(("name", "value"), STAFF_ONLY.items())
async def test_a_client_key_sending_a_staff_filter_gets_400_naming_it(
    api: httpx.AsyncClient, queue: Cast, name: str, value: str
) -> None:
    response = await api.get(URL, params={name: value}, headers=key(queue.client_key))
    body = assert_invalid(response, f"?{name}")
    assert body["errors"][0]["code"] == "staff_only"


async def test_every_staff_filter_a_client_sent_is_named(
    api: httpx.AsyncClient, queue: Cast
) -> None:
    response = await api.get(URL, params=STAFF_ONLY, headers=key(queue.client_key))
    assert_invalid(response, "?ownerId")
    assert pointers(response.json()) == [f"?{name}" for name in STAFF_ONLY]


async def test_a_client_may_send_the_default_sort_and_search(
    api: httpx.AsyncClient, queue: Cast
) -> None:
    assert await numbers(api, queue.client_key, sort="-updatedAt") == [8, 5, 4, 3, 2, 1]
    assert await numbers(api, queue.client_key, q="vps", limit=2) == [8, 5, 4, 3, 2, 1]


@pytest.mark.parametrize(
    ("name", "value"),
    [("ownerId", "someone"), ("ownerId", "0"), ("ownerId", "2147483648"), ("clientId", "0"),
     ("priority", "soon"), ("escalated", "maybe"), ("sort", "priority"), ("tag", "")],
)  # fmt: skip
async def test_malformed_staff_filters_are_400_naming_them(
    api: httpx.AsyncClient, queue: Cast, name: str, value: str
) -> None:
    response = await api.get(URL, params={name: value}, headers=key(queue.staff_key))
    assert_invalid(response, f"?{name}")


async def _statements(app: FastAPI, api: httpx.AsyncClient, api_key: str, **params: Any) -> int:
    """The statements of one page, less the one for the staff's desk part of its items (taken
    only when the page has items, whatever their number: tests/desk counts it)."""
    with recorded_statements(app) as statements:
        response = await api.get(URL, params=params, headers=key(api_key))
    assert response.status_code == 200, response.text
    return len(statements) - (1 if response.json()["data"] else 0)


async def test_a_page_costs_the_same_statements_whatever_the_data(
    app: FastAPI, api: httpx.AsyncClient, db: Database, cast: Cast
) -> None:
    world = cast.world
    queries: list[dict[str, Any]] = [
        {},
        {"ownerId": "none", "unread": "true", "sort": "-priority", "tag": "vip"},
        {"overdue": "true", "escalated": "false", "sort": "resolveBy", "clientId": "1"},
        {"q": "vps boots", "priority": "medium"},
        {"q": "kernel", "sort": "-priority"},
    ]

    async def counts() -> list[int]:
        return [await _statements(app, api, cast.staff_key, limit=5, **q) for q in queries]

    await builders.ticket(db, number=1, dept_id=world.dept_id, client_id=world.client_id)
    await _statements(app, api, cast.staff_key)  # the key's first use is recorded once
    few = await counts()
    for number in range(2, 42):
        ticket = await builders.ticket(
            db, number=number, dept_id=world.dept_id, client_id=world.client_id,
            tags=["vip"], updated_at=OPENED + timedelta(minutes=number),
        )  # fmt: skip
        await builders.replies(db, ticket.id, 3)
        await builders.note(db, ticket.id, world.staff_id, "kernel vps")
    many = await counts()
    assert few == many
    auth = await _statements(app, api, cast.staff_key, limit=5)
    assert all(count == auth for count in many)  # the key, then one statement for the page
