"""`GET /api/support/departments` (v1.md): the departments a caller can open tickets in."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from supportdesk.core.db import Database
from supportdesk.keys import tokens
from tests import builders, conversation_builders
from tests.api.assertions import (
    TIMESTAMP,
    assert_error,
    assert_rate_limit_headers,
    assert_rate_limited,
    assert_request_id,
)
from tests.conversation_builders import Cast

URL = "/api/support/departments"
DEPARTMENT_KEYS = ["id", "name", "description", "email", "visible"]


def key(api_key: str) -> dict[str, str]:
    return {"X-API-Key": api_key}


class TestListDepartments:
    async def test_no_key_is_401_unauthorized(self, api: httpx.AsyncClient, cast: Cast) -> None:
        response = await api.get(URL)
        assert_error(response, 401, "UNAUTHORIZED")
        assert_rate_limit_headers(response)

    @pytest.mark.parametrize("bad", ["junk", "unknown", "expired"])
    async def test_a_bad_key_is_401_invalid_api_key(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, bad: str
    ) -> None:
        presented = bad
        if bad == "unknown":
            presented = tokens.generate()
        elif bad == "expired":
            key_id, presented = await builders.api_key(db, client_id=cast.world.client_id)
            await builders.update_key(db, key_id, expires_at=datetime(2020, 1, 1, tzinfo=UTC))
        assert_error(await api.get(URL, headers=key(presented)), 401, "INVALID_API_KEY")

    async def test_a_key_with_neither_read_scope_is_403_forbidden(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        _, write_only = await builders.api_key(
            db, client_id=cast.world.client_id, scopes=("write:support",)
        )
        body = assert_error(await api.get(URL, headers=key(write_only)), 403, "FORBIDDEN")
        assert "read:support" in body["message"]
        assert "read:account" in body["message"]

    async def test_a_suspended_clients_key_is_403_forbidden(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        assert_error(await api.get(URL, headers=key(cast.suspended_key)), 403, "FORBIDDEN")

    @pytest.mark.parametrize("which", ["read_only_key", "account_only_key"])
    async def test_read_support_or_read_account_is_enough(
        self, api: httpx.AsyncClient, cast: Cast, which: str
    ) -> None:
        response = await api.get(URL, headers=key(getattr(cast, which)))
        assert response.status_code == 200, response.text
        assert [d["name"] for d in response.json()["data"]["departments"]] == ["Technical Support"]

    async def test_the_body_is_the_envelope_with_typed_departments(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        billing, _ = await conversation_builders.department(
            db, name="Billing", description="Invoices and payments"
        )
        response = await api.get(URL, headers=key(cast.client_key))
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert list(body) == ["success", "timestamp", "requestId", "data"]
        assert body["success"] is True
        assert TIMESTAMP.match(body["timestamp"])
        assert_request_id(response, body)
        assert_rate_limit_headers(response)
        assert list(body["data"]) == ["departments"]
        departments = body["data"]["departments"]
        for department in departments:
            assert list(department) == DEPARTMENT_KEYS
            assert type(department["id"]) is int
            assert type(department["visible"]) is bool
        assert departments == [
            {
                "id": cast.world.dept_id,
                "name": "Technical Support",
                "description": "",
                "email": "support@hostup.example",
                "visible": True,
            },
            {
                "id": billing,
                "name": "Billing",
                "description": "Invoices and payments",
                "email": "billing@hostup.example",
                "visible": True,
            },
        ]

    async def test_a_client_sees_visible_departments_only_and_staff_all(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        client = (await api.get(URL, headers=key(cast.client_key))).json()["data"]["departments"]
        staff = (await api.get(URL, headers=key(cast.staff_key))).json()["data"]["departments"]
        assert [d["id"] for d in client] == [cast.world.dept_id]
        assert [(d["id"], d["visible"]) for d in staff] == [
            (cast.world.dept_id, True),
            (cast.world.hidden_dept_id, False),
        ]

    async def test_the_listed_ids_are_the_ones_create_takes(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        listed = (await api.get(URL, headers=key(cast.client_key))).json()["data"]["departments"]
        response = await api.post(
            "/api/support/tickets",
            headers=key(cast.client_key),
            json={"dept_id": listed[0]["id"], "subject": "Hi", "body": "Hello", "priority": 0},
        )
        assert response.status_code == 200, response.text
        assert response.json()["data"]["ticket"]["deptname"] == listed[0]["name"]

    async def test_no_departments_is_an_empty_list(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await conversation_builders.set_department(db, cast.world.dept_id, visible=False)
        response = await api.get(URL, headers=key(cast.client_key))
        assert response.status_code == 200
        assert response.json()["data"]["departments"] == []

    async def test_other_methods_are_405(self, api: httpx.AsyncClient, cast: Cast) -> None:
        response = await api.post(URL, headers=key(cast.staff_key), json={})
        assert_error(response, 405, "METHOD_NOT_ALLOWED")

    async def test_the_keys_rate_limit_gives_429(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        limited = await conversation_builders.write_key(
            db, cast.world.client_id, rate_limit_per_minute=2
        )
        responses = [await api.get(URL, headers=key(limited)) for _ in range(3)]
        assert [response.status_code for response in responses] == [200, 200, 429]
        assert [response.headers["x-ratelimit-remaining"] for response in responses] == [
            "1",
            "0",
            "0",
        ]
        assert_rate_limited(responses[2])
        assert_rate_limit_headers(responses[2])
