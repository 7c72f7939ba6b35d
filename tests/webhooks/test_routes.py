"""`/api/v2/admin/webhooks`: who may use them (401/403), unknown ids (404), bad input (400),
the secret shown once, pages, changes, removal, deliveries and redelivery."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from supportdesk.core.db import Database
from tests import builders
from tests.api.v2.assertions import assert_problem
from tests.webhooks.conftest import HOOKS, Desk, deliver_everything, register
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_delivery import ok, open_ticket

UNKNOWN_DELIVERY = "msg_" + "0" * 26
Call = Callable[[httpx.AsyncClient, dict[str, str], int, str], Awaitable[httpx.Response]]

ROUTES: dict[str, Call] = {
    "list": lambda api, h, i, d: api.get(HOOKS, headers=h),
    "create": lambda api, h, i, d: api.post(HOOKS, headers=h, json={"url": "http://127.0.0.1:9/"}),
    "get": lambda api, h, i, d: api.get(f"{HOOKS}/{i}", headers=h),
    "patch": lambda api, h, i, d: api.patch(f"{HOOKS}/{i}", headers=h, json={"active": False}),
    "delete": lambda api, h, i, d: api.delete(f"{HOOKS}/{i}", headers=h),
    "deliveries": lambda api, h, i, d: api.get(f"{HOOKS}/{i}/deliveries", headers=h),
    "redeliver": lambda api, h, i, d: api.post(f"{HOOKS}/{i}/deliveries/{d}/redeliver", headers=h),
    "rotate": lambda api, h, i, d: api.post(f"{HOOKS}/{i}/actions/rotate-secret", headers=h),
}


@pytest.fixture
async def delivered(
    api: httpx.AsyncClient, app: FastAPI, desk: Desk, receiver: Receiver
) -> tuple[int, str]:
    """An endpoint with one delivered event: (endpoint id, delivery id)."""
    hook = await register(api, desk, receiver)
    await open_ticket(api, desk)
    await deliver_everything(app)
    [arrival] = receiver.verified()
    return int(hook["id"]), arrival.id


@pytest.mark.parametrize("route", sorted(ROUTES))
async def test_every_route_is_for_admin_keys_only(
    api: httpx.AsyncClient, db: Database, desk: Desk, delivered: tuple[int, str], route: str
) -> None:
    hook_id, delivery_id = delivered
    send = ROUTES[route]
    _, staff_key = await builders.api_key(
        db, staff_id=desk.cast.world.staff_id, scopes=("read:support", "manage:support")
    )
    assert_problem(await send(api, {}, hook_id, delivery_id), 401, "unauthorized")
    bad = {"X-API-Key": "sd_live_" + "x" * 40}
    assert_problem(await send(api, bad, hook_id, delivery_id), 401, "unauthorized")
    for refused in (desk.client, {"X-API-Key": staff_key}):
        assert_problem(await send(api, refused, hook_id, delivery_id), 403, "forbidden")
    answer = await send(api, desk.admin, hook_id, delivery_id)
    assert answer.status_code in (200, 201, 202, 204), answer.text


@pytest.mark.parametrize("route", ["get", "patch", "delete", "deliveries", "redeliver", "rotate"])
async def test_an_unknown_endpoint_or_delivery_is_404(
    api: httpx.AsyncClient, desk: Desk, delivered: tuple[int, str], route: str
) -> None:
    hook_id, delivery_id = delivered
    send = ROUTES[route]
    assert_problem(await send(api, desk.admin, hook_id + 1, delivery_id), 404, "not_found")
    if route == "redeliver":
        missing = await send(api, desk.admin, hook_id, UNKNOWN_DELIVERY)
        assert_problem(missing, 404, "not_found")


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({}, "/url"),
        ({"url": "ftp://files.example/"}, "/url"),
        ({"url": "http://user:pw@hooks.example/"}, "/url"),
        ({"url": "hooks.example"}, "/url"),
        ({"url": "http://x/", "events": []}, "/events"),
        ({"url": "http://x/", "events": ["ticket.exploded"]}, "/events/0"),
        ({"url": "http://x/", "events": "all"}, "/events"),
        ({"url": "http://x/", "active": "yes"}, "/active"),
        ({"url": "http://x/", "secret": "mine"}, "/secret"),
    ],
)
async def test_bad_input_is_400_naming_the_field(
    api: httpx.AsyncClient, desk: Desk, body: dict[str, Any], pointer: str
) -> None:
    refused = assert_problem(
        await api.post(HOOKS, headers=desk.admin, json=body), 400, "invalid_request"
    )
    assert pointer in [error["pointer"] for error in refused["errors"]], refused


async def test_malformed_ids_and_cursors_are_400(
    api: httpx.AsyncClient, desk: Desk, delivered: tuple[int, str]
) -> None:
    hook_id, _ = delivered
    for url in (f"{HOOKS}/abc", f"{HOOKS}/0/deliveries"):
        assert_problem(await api.get(url, headers=desk.admin), 400, "invalid_request")
    bad_id = await api.post(f"{HOOKS}/{hook_id}/deliveries/msg_x/redeliver", headers=desk.admin)
    assert_problem(bad_id, 400, "invalid_request")
    for url in (f"{HOOKS}?cursor=forged", f"{HOOKS}/{hook_id}/deliveries?cursor=forged"):
        assert_problem(await api.get(url, headers=desk.admin), 400, "invalid_cursor")


async def test_the_secret_is_shown_once_and_the_endpoint_can_change(
    api: httpx.AsyncClient, desk: Desk, receiver: Receiver
) -> None:
    created = await register(api, desk, receiver, events=["ticket.closed", "ticket.created"])
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert created["events"] == ["ticket.closed", "ticket.created"]
    shown = ok(await api.get(f"{HOOKS}/{created['id']}", headers=desk.admin))
    assert "secret" not in shown
    assert secret not in str(ok(await api.get(HOOKS, headers=desk.admin)))
    changed = ok(
        await api.patch(
            f"{HOOKS}/{created['id']}",
            headers=desk.admin,
            json={"events": "*", "active": False, "url": receiver.url + "/v2"},
        )
    )
    assert changed["events"] == "*"
    assert changed["active"] is False
    assert changed["url"].endswith("/hooks/v2")
    gone = await api.delete(f"{HOOKS}/{created['id']}", headers=desk.admin)
    assert gone.status_code == 204
    again = await api.get(f"{HOOKS}/{created['id']}", headers=desk.admin)
    assert_problem(again, 404, "not_found")


async def test_lists_are_cursor_paged(
    api: httpx.AsyncClient, app: FastAPI, desk: Desk, receiver: Receiver
) -> None:
    hooks = [await register(api, desk, receiver) for _ in range(3)]
    receiver.secret = None  # three secrets: the arrivals are not verified here
    page = ok(await api.get(f"{HOOKS}?limit=2", headers=desk.admin))
    assert [h["id"] for h in page["data"]] == [hooks[0]["id"], hooks[1]["id"]]
    assert page["hasMore"] is True
    rest = ok(await api.get(f"{HOOKS}?limit=2&cursor={page['nextCursor']}", headers=desk.admin))
    assert [h["id"] for h in rest["data"]] == [hooks[2]["id"]]
    assert rest["hasMore"] is False
    assert rest["nextCursor"] is None
    for subject in ("one", "two", "three"):
        await open_ticket(api, desk, subject)
    await deliver_everything(app)
    url = f"{HOOKS}/{hooks[0]['id']}/deliveries?limit=2"
    first = ok(await api.get(url, headers=desk.admin))
    second = ok(await api.get(f"{url}&cursor={first['nextCursor']}", headers=desk.admin))
    shown = first["data"] + second["data"]
    assert len(shown) == 3
    assert second["hasMore"] is False
    assert len({d["id"] for d in shown}) == 3
    assert [d["createdAt"] for d in shown] == sorted((d["createdAt"] for d in shown), reverse=True)
    assert {d["endpointId"] for d in shown} == {hooks[0]["id"]}
    assert set(shown[0]) == {
        "id", "endpointId", "ticketId", "type", "status", "attempts", "nextAttemptAt",
        "lastStatusCode", "lastError", "createdAt", "deliveredAt", "attemptLog",
    }  # fmt: skip


@pytest.mark.parametrize("field", ["url", "events", "active"])
async def test_a_patch_may_not_set_a_field_to_null(
    api: httpx.AsyncClient, desk: Desk, delivered: tuple[int, str], field: str
) -> None:
    hook_id, _ = delivered
    refused = await api.patch(f"{HOOKS}/{hook_id}", headers=desk.admin, json={field: None})
    body = assert_problem(refused, 400, "invalid_request")
    assert [error["pointer"] for error in body["errors"]] == [f"/{field}"]
    assert ok(await api.get(f"{HOOKS}/{hook_id}", headers=desk.admin))["active"] is True
