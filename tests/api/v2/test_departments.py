"""`GET /api/v2/support/departments`: scope `read:account` (v2.md)."""

from __future__ import annotations

import httpx

from supportdesk.core.db import Database
from supportdesk.keys import tokens
from tests import builders, conversation_builders
from tests.api.assertions import assert_rate_limit_headers
from tests.api.v2.assertions import (
    assert_problem,
    assert_rate_limited_problem,
    assert_v2_request_id,
    key,
)
from tests.conversation_builders import Cast

URL = "/api/v2/support/departments"


class TestListDepartments:
    async def test_no_key_is_401_unauthorized(self, api: httpx.AsyncClient, cast: Cast) -> None:
        response = await api.get(URL)
        assert_problem(response, 401, "unauthorized")
        assert_rate_limit_headers(response)

    async def test_a_bad_key_is_401_unauthorized(self, api: httpx.AsyncClient, cast: Cast) -> None:
        for presented in ("junk", "sd_live_", tokens.generate()):
            assert_problem(await api.get(URL, headers=key(presented)), 401, "unauthorized")

    async def test_a_key_without_read_account_is_403_forbidden(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        """v2 asks for `read:account` (v1 takes `read:support` as well)."""
        _, support_only = await builders.api_key(
            db, client_id=cast.world.client_id, scopes=conversation_builders.WRITE_SCOPES
        )
        body = assert_problem(await api.get(URL, headers=key(support_only)), 403, "forbidden")
        assert "read:account" in body["detail"]
        v1 = await api.get("/api/support/departments", headers=key(support_only))
        assert v1.status_code == 200

    async def test_a_suspended_clients_key_is_403_forbidden(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        _, suspended = await builders.api_key(
            db, client_id=cast.world.suspended_client_id, scopes=("read:account",)
        )
        assert_problem(await api.get(URL, headers=key(suspended)), 403, "forbidden")

    async def test_the_body_is_bare_departments_with_v2_names(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        _, billing_slug = await conversation_builders.department(
            db, name="Billing", slug="billing", description="Invoices and payments"
        )
        response = await api.get(URL, headers=key(cast.account_only_key))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        assert_v2_request_id(response)
        assert_rate_limit_headers(response)
        assert response.json() == {
            "departments": [
                {
                    "slug": cast.dept_slug,
                    "displayName": "Technical Support",
                    "description": "",
                    "email": "support@hostup.example",
                },
                {
                    "slug": billing_slug,
                    "displayName": "Billing",
                    "description": "Invoices and payments",
                    "email": "billing@hostup.example",
                },
            ]
        }

    async def test_a_client_sees_visible_departments_only(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        client = (await api.get(URL, headers=key(cast.client_key))).json()["departments"]
        assert [d["slug"] for d in client] == [cast.dept_slug]
        staff = (await api.get(URL, headers=key(cast.staff_key))).json()["departments"]
        assert [d["slug"] for d in staff] == [cast.dept_slug, cast.hidden_dept_slug]

    async def test_the_listed_slugs_are_the_ones_create_takes(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        (listed,) = (await api.get(URL, headers=key(cast.client_key))).json()["departments"]
        response = await api.post(
            "/api/v2/support/tickets",
            headers=key(cast.client_key),
            json={"departmentSlug": listed["slug"], "subject": "Hi", "message": "Hello"},
        )
        assert response.status_code == 201, response.text
        assert response.json()["departmentName"] == listed["displayName"]

    async def test_other_methods_are_405(self, api: httpx.AsyncClient, cast: Cast) -> None:
        response = await api.delete(URL, headers=key(cast.client_key))
        assert_problem(response, 405, "method_not_allowed")

    async def test_the_keys_rate_limit_gives_429(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        limited = await conversation_builders.write_key(
            db, cast.world.client_id, rate_limit_per_minute=2
        )
        responses = [await api.get(URL, headers=key(limited)) for _ in range(3)]
        assert [response.status_code for response in responses] == [200, 200, 429]
        assert_rate_limited_problem(responses[2])
        assert_rate_limit_headers(responses[2])
