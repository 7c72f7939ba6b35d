"""`GET /api/v2/support/tickets`: summaries, newest activity first, in cursor pages (v2.md)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from supportdesk.core.db import Database
from supportdesk.keys import tokens
from tests import builders, conversation_builders
from tests.api.assertions import assert_rate_limit_headers
from tests.api.v2.assertions import (
    assert_invalid,
    assert_problem,
    assert_rate_limited_problem,
    assert_ticket_shape,
    assert_v2_request_id,
    key,
)
from tests.builders import OPENED, BuiltTicket
from tests.conversation_builders import Cast

URL = "/api/v2/support/tickets"
FIRST_NUMBER = 300000


def page_of(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    page: dict[str, Any] = response.json()
    assert list(page) == ["data", "nextCursor", "hasMore"]
    assert type(page["hasMore"]) is bool
    assert page["nextCursor"] is None or isinstance(page["nextCursor"], str)
    assert (page["nextCursor"] is not None) == page["hasMore"]
    return page


async def get_page(api: httpx.AsyncClient, api_key: str, **params: Any) -> dict[str, Any]:
    return page_of(await api.get(URL, params=params, headers=key(api_key)))


async def every_page(api: httpx.AsyncClient, api_key: str, **params: Any) -> list[str]:
    numbers: list[str] = []
    cursor = None
    for _ in range(50):
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        page = await get_page(api, api_key, **query)
        numbers += [ticket["number"] for ticket in page["data"]]
        cursor = page["nextCursor"]
        if not page["hasMore"]:
            return numbers
    raise AssertionError("more than 50 pages")


async def many(
    db: Database, cast: Cast, count: int, *, first: int = FIRST_NUMBER, **columns: Any
) -> list[BuiltTicket]:
    """`count` tickets of the cast's client, each a minute more recently active than the last."""
    return [
        await builders.ticket(
            db,
            number=first + i,
            dept_id=cast.world.dept_id,
            client_id=cast.world.client_id,
            updated_at=OPENED + timedelta(minutes=i),
            **columns,
        )
        for i in range(count)
    ]


def tamper(cursor: str) -> str:
    """The same cursor with one bit of its payload flipped (re-encoded as the server does)."""
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[0] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


class TestListTickets:
    # --- 401 / 403 ---------------------------------------------------------------------

    async def test_no_key_is_401_unauthorized(self, api: httpx.AsyncClient, cast: Cast) -> None:
        response = await api.get(URL)
        assert_problem(response, 401, "unauthorized")
        assert_rate_limit_headers(response)

    async def test_a_bad_key_is_401_unauthorized(self, api: httpx.AsyncClient, cast: Cast) -> None:
        for presented in ("junk", tokens.generate()):
            response = await api.get(URL, headers=key(presented))
            assert_problem(response, 401, "unauthorized")

    async def test_a_key_without_read_support_is_403_forbidden(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        response = await api.get(URL, headers=key(cast.account_only_key))
        body = assert_problem(response, 403, "forbidden")
        assert "read:support" in body["detail"]
        assert_problem(await api.get(URL, headers=key(cast.suspended_key)), 403, "forbidden")

    # --- 400 ---------------------------------------------------------------------------

    @pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", ""])
    async def test_a_limit_outside_1_to_100_is_400_pointing_at_it(
        self, api: httpx.AsyncClient, cast: Cast, limit: str
    ) -> None:
        response = await api.get(URL, params={"limit": limit}, headers=key(cast.client_key))
        assert_invalid(response, "?limit")

    @pytest.mark.parametrize("status", ["unknown", "Open", "closed,open", "pending"])
    async def test_a_status_v2_does_not_filter_on_is_400_pointing_at_it(
        self, api: httpx.AsyncClient, cast: Cast, status: str
    ) -> None:
        response = await api.get(URL, params={"status": status}, headers=key(cast.client_key))
        assert_invalid(response, "?status")

    async def test_an_overlong_department_slug_is_400_pointing_at_it(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        response = await api.get(
            URL, params={"departmentSlug": "x" * 65}, headers=key(cast.client_key)
        )
        assert_invalid(response, "?departmentSlug")

    @pytest.mark.parametrize(
        "forged",
        ["tampered", "truncated", "", "not-base64!", "AAAA", "x" * 600],
        ids=["tampered", "truncated", "empty", "not-base64", "too-short", "overlong"],
    )
    async def test_a_cursor_this_server_did_not_issue_is_invalid_cursor(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, forged: str
    ) -> None:
        await many(db, cast, 3)
        issued = (await get_page(api, cast.client_key, limit=1))["nextCursor"]
        cursor = {"tampered": tamper(issued), "truncated": issued[:-2]}.get(forged, forged)
        response = await api.get(
            URL, params={"cursor": cursor, "limit": 1}, headers=key(cast.client_key)
        )
        body = assert_problem(response, 400, "invalid_cursor")
        assert "cursor" in body["detail"]

    # --- 405 / 406 / 429 ---------------------------------------------------------------

    async def test_other_methods_are_405(self, api: httpx.AsyncClient, cast: Cast) -> None:
        response = await api.put(URL, headers=key(cast.client_key), json={})
        assert_problem(response, 405, "method_not_allowed")

    async def test_accept_that_rules_out_json_is_406(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        response = await api.get(URL, headers={**key(cast.client_key), "Accept": "text/csv"})
        assert_problem(response, 406, "not_acceptable")

    async def test_the_keys_rate_limit_gives_429(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        limited = await conversation_builders.write_key(
            db, cast.world.client_id, rate_limit_per_minute=1
        )
        first = await api.get(URL, headers=key(limited))
        second = await api.get(URL, headers=key(limited))
        assert first.status_code == 200
        assert_rate_limited_problem(second)
        assert_rate_limit_headers(second)
        assert second.headers["x-ratelimit-remaining"] == "0"

    # --- 200: the page -----------------------------------------------------------------

    async def test_an_empty_list(self, api: httpx.AsyncClient, cast: Cast) -> None:
        response = await api.get(URL, headers=key(cast.client_key))
        assert page_of(response) == {"data": [], "nextCursor": None, "hasMore": False}
        assert_v2_request_id(response)
        assert_rate_limit_headers(response)

    async def test_summaries_lack_body_attachments_and_messages(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        built = await builders.ticket(
            db,
            number=FIRST_NUMBER,
            dept_id=cast.world.dept_id,
            client_id=cast.world.client_id,
            status="Client-Reply",
            priority="urgent",
            cc="boss@example.com",
            last_reply_at=OPENED + timedelta(hours=1),
            updated_at=OPENED + timedelta(hours=2),
        )
        await conversation_builders.reply(db, built.id, type="Client", replier_id=1)
        await conversation_builders.reply(db, built.id, status="Draft")
        await builders.attachment(db, built.id)
        service = await builders.service(db, cast.world.client_id)
        await builders.link_service(db, built.id, service, ai_summary="Summary", ai_helpful=False)
        (summary,) = (await get_page(api, cast.client_key))["data"]
        assert_ticket_shape(summary, detail=False)
        for absent in ("body", "attachments", "messages"):
            assert absent not in summary
        assert summary == {
            "id": await conversation_builders.public_id_of(db, built.id),
            "number": str(FIRST_NUMBER),
            "subject": "My VPS does not boot",
            "status": "customer_reply",
            "priority": "urgent",
            "departmentSlug": cast.dept_slug,
            "departmentName": "Technical Support",
            "createdAt": "2026-11-20T09:30:15.123Z",
            "updatedAt": "2026-11-20T11:30:15.123Z",
            "lastMessageAt": "2026-11-20T10:30:15.123Z",
            "ccEmails": ["boss@example.com"],
            "requesterName": "Ada Lovelace",
            "messageCount": 1,
            "linkedServices": [
                {
                    "serviceType": "vps",
                    "serviceId": str(service),
                    "serviceName": "vps-01",
                    "details": {
                        "status": "Active",
                        "nextDue": "2026-12-01",
                        "hostname": "vps-01.example.net",
                    },
                }
            ],
            "aiSummary": "Summary",
            "aiHelpful": False,
        }

    async def test_a_summary_agrees_with_the_detail(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        built = await builders.ticket(
            db, number=FIRST_NUMBER, dept_id=cast.world.dept_id, client_id=cast.world.client_id
        )
        await conversation_builders.reply(db, built.id)
        (summary,) = (await get_page(api, cast.client_key))["data"]
        shown = (await api.get(f"{URL}/{summary['id']}", headers=key(cast.client_key))).json()
        assert summary == {name: shown[name] for name in summary}

    async def test_a_client_lists_its_own_tickets_only_and_never_internal_ones(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        world = cast.world
        mine = await builders.ticket(
            db, number=FIRST_NUMBER, dept_id=world.dept_id, client_id=world.client_id
        )
        await builders.ticket(
            db, number=FIRST_NUMBER + 1, dept_id=world.dept_id, client_id=world.other_client_id
        )
        await builders.ticket(
            db, number=FIRST_NUMBER + 2, dept_id=world.dept_id, client_id=world.client_id, flags=16
        )
        await builders.ticket(db, number=FIRST_NUMBER + 3, dept_id=world.dept_id, client_id=None)
        client = await every_page(api, cast.client_key)
        assert client == [str(mine.number)]
        staff = await every_page(api, cast.staff_key)
        assert sorted(staff) == [str(FIRST_NUMBER + i) for i in range(4)]

    async def test_newest_activity_first_and_the_default_limit_is_20(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        built = await many(db, cast, 22)
        # Activity is `updatedAt`, not creation: the oldest ticket becomes the newest.
        await conversation_builders.set_ticket(
            db, built[0].id, updated_at=OPENED + timedelta(days=1)
        )
        page = await get_page(api, cast.client_key)
        assert len(page["data"]) == 20
        assert page["hasMore"] is True
        numbers = [ticket["number"] for ticket in page["data"]]
        assert numbers[0] == str(built[0].number)
        assert numbers[1:] == [str(t.number) for t in reversed(built[3:])]
        stamps = [ticket["updatedAt"] for ticket in page["data"]]
        assert stamps == sorted(stamps, reverse=True)

    async def test_the_last_page_has_no_cursor(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await many(db, cast, 4)
        first = await get_page(api, cast.client_key, limit=2)
        second = await get_page(api, cast.client_key, limit=2, cursor=first["nextCursor"])
        assert (len(second["data"]), second["hasMore"], second["nextCursor"]) == (2, False, None)
        exactly = await get_page(api, cast.client_key, limit=4)
        assert (exactly["hasMore"], exactly["nextCursor"]) == (False, None)
        assert (await get_page(api, cast.client_key, limit=100))["hasMore"] is False

    async def test_pages_are_stable_while_tickets_are_opened(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        """25 tickets in pages of 7, with new tickets opened (through v1, v2 and directly)
        between the fetches: the pages together are exactly the 25, in order, once each."""
        world = cast.world
        existing: list[BuiltTicket] = []
        for i in range(25):
            # Pairs share an updated_at; with pages of 7 one pair straddles pages 2 and 3.
            existing.append(
                await builders.ticket(
                    db,
                    number=FIRST_NUMBER + i,
                    dept_id=world.dept_id,
                    client_id=world.client_id,
                    updated_at=OPENED + timedelta(minutes=i // 2),
                )
            )
        expected = [
            str(t.number)
            for t in sorted(existing, key=lambda t: (t.number - FIRST_NUMBER) // 2 * 10**6 + t.id)
        ][::-1]

        async def open_more(round_: int) -> None:
            v1 = await api.post(
                "/api/support/tickets",
                headers=key(cast.client_key),
                json={"dept_id": world.dept_id, "subject": "New", "body": "New", "priority": 0},
            )
            assert v1.status_code == 200, v1.text
            v2 = await api.post(
                URL,
                headers=key(cast.client_key),
                json={"departmentSlug": cast.dept_slug, "subject": "New", "message": "New"},
            )
            assert v2.status_code == 201, v2.text
            await builders.ticket(
                db,
                number=FIRST_NUMBER + 100 + round_,
                dept_id=world.dept_id,
                client_id=world.client_id,
                updated_at=datetime.now(UTC) + timedelta(minutes=round_),
            )

        seen: list[str] = []
        pages: list[int] = []
        cursor = None
        for round_ in range(10):
            params: dict[str, Any] = {"limit": 7, **({"cursor": cursor} if cursor else {})}
            page = await get_page(api, cast.client_key, **params)
            seen += [ticket["number"] for ticket in page["data"]]
            pages.append(len(page["data"]))
            if not page["hasMore"]:
                break
            cursor = page["nextCursor"]
            await open_more(round_)
        assert pages == [7, 7, 7, 4]
        assert len(seen) == len(set(seen)), "no ticket twice"
        assert seen == expected, "no gaps, newest activity first"
        # The new tickets are there for whoever starts again.
        assert len(await every_page(api, cast.client_key, limit=100)) == 25 + 3 * 3

    async def test_a_cursor_is_opaque_text(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        await many(db, cast, 2)
        cursor = (await get_page(api, cast.client_key, limit=1))["nextCursor"]
        assert cursor
        assert str(FIRST_NUMBER) not in cursor
        assert all(c.isalnum() or c in "-_" for c in cursor), "safe in a query string as is"

    # --- filters -----------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("status", "v1_statuses"),
        [
            ("open", ["Open"]),
            ("answered", ["Answered"]),
            ("customer_reply", ["Client-Reply"]),
            ("in_progress", ["In-Progress"]),
            ("on_hold", ["On-Hold"]),
            ("closed", ["Closed"]),
        ],
    )
    async def test_the_status_filter(
        self, api: httpx.AsyncClient, db: Database, cast: Cast, status: str, v1_statuses: list[str]
    ) -> None:
        statuses = ["Open", "Answered", "Client-Reply", "In-Progress", "On-Hold", "Closed"]
        for i, name in enumerate(statuses * 2):
            await builders.ticket(
                db,
                number=FIRST_NUMBER + i,
                dept_id=cast.world.dept_id,
                client_id=cast.world.client_id,
                status=name,
                updated_at=OPENED + timedelta(minutes=i),
            )
        page = await get_page(api, cast.client_key, status=status, limit=1)
        assert [t["status"] for t in page["data"]] == [status]
        numbers = await every_page(api, cast.client_key, status=status, limit=1)
        wanted = [i for i, name in enumerate(statuses * 2) if name in v1_statuses]
        assert numbers == [str(FIRST_NUMBER + i) for i in reversed(wanted)]

    async def test_the_department_filter(
        self, api: httpx.AsyncClient, db: Database, cast: Cast
    ) -> None:
        billing, billing_slug = await conversation_builders.department(db, name="Billing")
        for i in range(6):
            await builders.ticket(
                db,
                number=FIRST_NUMBER + i,
                dept_id=billing if i % 2 else cast.world.dept_id,
                client_id=cast.world.client_id,
                status="Closed" if i in (4, 5) else "Open",
                updated_at=OPENED + timedelta(minutes=i),
            )
        in_billing = await every_page(api, cast.client_key, departmentSlug=billing_slug, limit=2)
        assert in_billing == [str(FIRST_NUMBER + i) for i in (5, 3, 1)]
        page = await get_page(api, cast.client_key, departmentSlug=billing_slug)
        assert {t["departmentSlug"] for t in page["data"]} == {billing_slug}
        assert {t["departmentName"] for t in page["data"]} == {"Billing"}
        both = await every_page(
            api, cast.client_key, departmentSlug=billing_slug, status="open", limit=1
        )
        assert both == [str(FIRST_NUMBER + i) for i in (3, 1)]
        nothing = await get_page(api, cast.client_key, departmentSlug="no-such-department")
        assert nothing == {"data": [], "nextCursor": None, "hasMore": False}
