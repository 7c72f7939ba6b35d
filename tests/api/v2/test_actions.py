"""`POST /api/v2/support/tickets/{id}/actions/close` and `/reopen` (v2.md, model.md 4)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from supportdesk.core.db import Database
from supportdesk.keys import tokens
from tests import builders, conversation_builders
from tests.api.assertions import assert_rate_limit_headers
from tests.api.v2.assertions import (
    assert_problem,
    assert_rate_limited_problem,
    assert_ticket_shape,
    assert_v2_request_id,
    comparable,
    key,
)
from tests.api.v2.calls import TICKETS, post_message
from tests.builders import OPENED, BuiltTicket
from tests.conversation_builders import Cast

NUMBER = 616828
OTHER_NUMBER = 727939
ACTIONS = ("close", "reopen")


def url(action: str, ref: int | str = NUMBER) -> str:
    return f"{TICKETS}/{ref}/actions/{action}"


def detail(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    ticket: dict[str, Any] = response.json()
    assert_ticket_shape(ticket, detail=True)
    return ticket


async def v1_status(api: httpx.AsyncClient, api_key: str, number: int = NUMBER) -> str:
    response = await api.get(f"/api/support/tickets/{number}", headers=key(api_key))
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["ticket"]["status"])


async def stored_status(db: Database, number: int = NUMBER) -> tuple[int, Any]:
    row = await conversation_builders.ticket_row(db, number)
    return row["status_id"], row["updated_at"]


async def ticket_in(
    db: Database, cast: Cast, status: str, *, dept_id: int | None = None, flags: int = 0
) -> BuiltTicket:
    return await builders.ticket(
        db,
        number=NUMBER,
        dept_id=dept_id or cast.world.dept_id,
        client_id=cast.world.client_id,
        status=status,
        flags=flags,
    )


@pytest.mark.parametrize("action", ACTIONS)
class TestActionRefusals:
    """What both actions refuse alike; nothing changes on a refused action."""

    async def test_no_key_is_401_unauthorized(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, action: str
    ) -> None:
        await ticket_in(db, cast, "Answered")
        before = await stored_status(db)
        response = await api.post(url(action))
        assert_problem(response, 401, "unauthorized")
        assert_rate_limit_headers(response)
        assert await stored_status(db) == before

    async def test_a_bad_key_is_401_unauthorized(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, action: str
    ) -> None:
        await ticket_in(db, cast, "Closed")
        for presented in ("junk", tokens.generate()):
            response = await api.post(url(action), headers=key(presented))
            assert_problem(response, 401, "unauthorized")

    async def test_a_key_without_write_support_is_403_forbidden(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, action: str
    ) -> None:
        await ticket_in(db, cast, "Closed" if action == "reopen" else "Open")
        before = await stored_status(db)
        response = await api.post(url(action), headers=key(cast.read_only_key))
        body = assert_problem(response, 403, "forbidden")
        assert "write:support" in body["detail"]
        assert await stored_status(db) == before

    async def test_another_clients_ticket_is_the_same_404_as_an_unknown_one(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, action: str
    ) -> None:
        await builders.ticket(
            db,
            number=OTHER_NUMBER,
            dept_id=cast.world.dept_id,
            client_id=cast.world.other_client_id,
            status="Closed" if action == "reopen" else "Open",
        )
        before = await stored_status(db, OTHER_NUMBER)
        not_yours = await api.post(url(action, OTHER_NUMBER), headers=key(cast.client_key))
        unknown = await api.post(url(action, 999999), headers=key(cast.client_key))
        by_id = await api.post(url(action, "tkt_" + "0" * 26), headers=key(cast.client_key))
        for response in (not_yours, unknown, by_id):
            assert_problem(response, 404, "not_found")
        assert comparable(not_yours) == comparable(unknown) == comparable(by_id)
        assert await stored_status(db, OTHER_NUMBER) == before

    async def test_get_is_405(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, action: str
    ) -> None:
        await ticket_in(db, cast, "Open")
        response = await api.get(url(action), headers=key(cast.client_key))
        assert_problem(response, 405, "method_not_allowed")
        assert "POST" in response.headers["allow"]

    async def test_the_keys_rate_limit_gives_429(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, action: str
    ) -> None:
        await ticket_in(db, cast, "Open")
        limited = await conversation_builders.write_key(
            db, cast.world.client_id, rate_limit_per_minute=1
        )
        assert (await api.post(url(action), headers=key(limited))).status_code == 200
        refused = await api.post(url(action), headers=key(limited))
        assert_rate_limited_problem(refused)
        assert_rate_limit_headers(refused)


class TestClose:
    @pytest.mark.parametrize("status", ["Open", "Answered", "Client-Reply", "On-Hold"])
    async def test_the_client_closes_its_ticket(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, status: str
    ) -> None:
        await ticket_in(db, cast, status)
        response = await api.post(url("close"), headers=key(cast.client_key))
        ticket = detail(response)
        assert_v2_request_id(response)
        assert ticket["status"] == "closed"
        assert ticket["number"] == str(NUMBER)
        assert ticket["updatedAt"] > ticket["createdAt"], "closing is a change"
        assert ticket["lastMessageAt"] == ticket["createdAt"], "but not a message"
        assert await v1_status(api, cast.client_key) == "Closed"

    async def test_staff_closes_any_ticket_by_tkt_id(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        built = await ticket_in(db, cast, "In-Progress")
        public_id = await conversation_builders.public_id_of(db, built.id)
        assert (
            detail(await api.post(url("close", public_id), headers=key(cast.staff_key)))["status"]
            == "closed"
        )

    async def test_closing_a_closed_ticket_is_a_no_op_200(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await ticket_in(db, cast, "Closed")
        before = await stored_status(db)
        ticket = detail(await api.post(url("close"), headers=key(cast.client_key)))
        assert ticket["status"] == "closed"
        assert ticket["updatedAt"] == "2026-11-20T09:30:15.123Z"
        assert await stored_status(db) == before

    async def test_a_closed_ticket_takes_no_client_message_until_reopened(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await ticket_in(db, cast, "Answered")
        detail(await api.post(url("close"), headers=key(cast.client_key)))
        refused = await post_message(api, cast.client_key, NUMBER, "One more thing")
        assert_problem(refused, 409, "ticket_closed")
        detail(await api.post(url("reopen"), headers=key(cast.client_key)))
        accepted = await post_message(api, cast.client_key, NUMBER, "One more thing")
        assert accepted.status_code == 201, accepted.text
        ticket = (await api.get(f"{TICKETS}/{NUMBER}", headers=key(cast.client_key))).json()
        assert ticket["status"] == "customer_reply"
        assert [m["body"] for m in ticket["messages"]] == ["One more thing"]


class TestReopen:
    async def test_the_client_reopens_its_closed_ticket(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await ticket_in(db, cast, "Closed")
        response = await api.post(url("reopen"), headers=key(cast.client_key))
        ticket = detail(response)
        assert_v2_request_id(response)
        assert ticket["status"] == "open"
        assert ticket["updatedAt"] > "2026-11-20T09:30:15.123Z"
        assert ticket["lastMessageAt"] == "2026-11-20T09:30:15.123Z"
        assert await v1_status(api, cast.client_key) == "Open"

    @pytest.mark.parametrize(("status", "v2_status"), [("Open", "open"), ("Answered", "answered")])
    async def test_reopening_a_ticket_that_is_not_closed_is_a_no_op_200(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, status: str, v2_status: str
    ) -> None:
        await ticket_in(db, cast, status)
        before = await stored_status(db)
        ticket = detail(await api.post(url("reopen"), headers=key(cast.client_key)))
        assert ticket["status"] == v2_status
        assert await stored_status(db) == before

    @pytest.mark.parametrize("forbidden_by", ["department", "ticket flag 4096"])
    async def test_where_reopening_is_forbidden_the_client_gets_403_and_staff_may(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, forbidden_by: str
    ) -> None:
        if forbidden_by == "department":
            dept_id, _ = await conversation_builders.department(db, client_can_reopen=False)
            await ticket_in(db, cast, "Closed", dept_id=dept_id)
        else:
            await ticket_in(db, cast, "Closed", flags=4096)
        before = await stored_status(db)
        refused = await api.post(url("reopen"), headers=key(cast.client_key))
        body = assert_problem(refused, 403, "reopen_not_allowed")
        assert body["title"] == "Reopen not allowed"
        assert await stored_status(db) == before
        assert await v1_status(api, cast.client_key) == "Closed"
        reopened = detail(await api.post(url("reopen"), headers=key(cast.staff_key)))
        assert reopened["status"] == "open"
        # Once open, the client may talk again (and close it again).
        assert (await post_message(api, cast.client_key, NUMBER, "Thanks")).status_code == 201
        assert detail(await api.post(url("close"), headers=key(cast.client_key)))["status"] == (
            "closed"
        )

    async def test_other_flags_do_not_forbid_reopening(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await ticket_in(db, cast, "Closed", flags=1 | 1024 | 2048 | 8192)
        assert detail(await api.post(url("reopen"), headers=key(cast.client_key)))["status"] == (
            "open"
        )

    async def test_a_reopened_ticket_is_listed_as_open_again(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await ticket_in(db, cast, "Closed")
        listed = await api.get(TICKETS, params={"status": "open"}, headers=key(cast.client_key))
        assert listed.json()["data"] == []
        detail(await api.post(url("reopen"), headers=key(cast.client_key)))
        listed = await api.get(TICKETS, params={"status": "open"}, headers=key(cast.client_key))
        assert [t["number"] for t in listed.json()["data"]] == [str(NUMBER)]
        assert listed.json()["data"][0]["updatedAt"] > OPENED.isoformat()[:19]
