"""The caller's address (`senderip`, the failed-authentication limit) in the app: the peer's,
unless the peer is a trusted proxy (then the right-most untrusted X-Forwarded-For entry)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from supportdesk.core.db import Database
from tests import builders
from tests.api.assertions import assert_error, assert_rate_limited
from tests.api.v2.assertions import key
from tests.conversation_builders import Cast
from tests.support import AppFactory

LOOPBACK = "127.0.0.1"
PROXY = "10.1.1.1"
CALLER = "203.0.113.5"
FORGED = "6.6.6.6"
JUNK = "x" * 100 + "<script>"


@asynccontextmanager
async def from_address(app: Any, peer: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def opened_senderip(
    client: httpx.AsyncClient, cast: Cast, forwarded: str | None, generation: str
) -> str:
    """Open a ticket (v1 or v2) with this X-Forwarded-For; its senderip as staff see it."""
    headers = key(cast.client_key)
    if forwarded is not None:
        headers["X-Forwarded-For"] = forwarded
    if generation == "v1":
        created = await client.post(
            "/api/support/tickets",
            headers=headers,
            json={"dept_id": cast.world.dept_id, "subject": "S", "body": "B", "priority": 1},
        )
        assert created.status_code == 200, created.text
        number = created.json()["data"]["ticket"]["number"]
    else:
        created = await client.post(
            "/api/v2/support/tickets",
            headers=headers,
            json={"departmentSlug": cast.dept_slug, "subject": "S", "message": "B"},
        )
        assert created.status_code == 201, created.text
        number = int(created.json()["number"])
    shown = await client.get(f"/api/support/tickets/{number}", headers=key(cast.staff_key))
    return str(shown.json()["data"]["ticket"]["senderip"])


@pytest.fixture
def app_trusting(make_app: AppFactory) -> Callable[..., Any]:
    def make(proxies: str = "", **settings: Any) -> Any:
        return make_app(trusted_proxies=proxies, **settings)

    return make


@pytest.mark.parametrize("generation", ["v1", "v2"])
class TestSenderIp:
    @pytest.mark.parametrize("forwarded", [None, CALLER, JUNK, f"{CALLER}, {FORGED}"])
    async def test_by_default_the_header_is_ignored_even_from_loopback(
        self, app_trusting: Callable[..., Any], cast: Cast, generation: str, forwarded: str | None
    ) -> None:
        async with from_address(app_trusting(), LOOPBACK) as client:
            assert await opened_senderip(client, cast, forwarded, generation) == LOOPBACK

    async def test_from_a_trusted_proxy_the_right_most_untrusted_entry(
        self, app_trusting: Callable[..., Any], cast: Cast, generation: str
    ) -> None:
        app = app_trusting("10.0.0.0/8")
        async with from_address(app, PROXY) as client:
            chain = f"{FORGED}, {CALLER}, 10.2.2.2"
            assert await opened_senderip(client, cast, chain, generation) == CALLER

    @pytest.mark.parametrize("junk", [JUNK, "unknown", "203.0.113.5:443", "fe80::1%eth0"])
    async def test_junk_from_a_trusted_proxy_is_never_stored(
        self, app_trusting: Callable[..., Any], cast: Cast, generation: str, junk: str
    ) -> None:
        app = app_trusting("10.0.0.0/8")
        async with from_address(app, PROXY) as client:
            assert await opened_senderip(client, cast, junk, generation) == PROXY

    async def test_an_untrusted_peer_cannot_pose_as_a_proxys_client(
        self, app_trusting: Callable[..., Any], cast: Cast, generation: str
    ) -> None:
        app = app_trusting("10.0.0.0/8")
        async with from_address(app, CALLER) as client:
            assert await opened_senderip(client, cast, FORGED, generation) == CALLER


async def test_a_v2_message_records_the_same_address(
    app_trusting: Callable[..., Any], cast: Cast
) -> None:
    app = app_trusting("10.0.0.0/8")
    async with from_address(app, PROXY) as client:
        assert await opened_senderip(client, cast, CALLER, "v2") == CALLER
        listed = await client.get("/api/v2/support/tickets", headers=key(cast.client_key))
        ticket = listed.json()["data"][0]["number"]
        posted = await client.post(
            f"/api/v2/support/tickets/{ticket}/messages",
            headers={**key(cast.client_key), "X-Forwarded-For": f"{FORGED}, {CALLER}"},
            json={"message": "more"},
        )
        assert posted.status_code == 201, posted.text
        shown = await client.get(f"/api/support/tickets/{ticket}", headers=key(cast.staff_key))
        assert shown.json()["data"]["ticket"]["replies"][-1]["senderip"] == CALLER


class TestFailedAuthenticationLimit:
    async def test_a_forged_header_does_not_dodge_the_limit(
        self, app_trusting: Callable[..., Any], db: Database
    ) -> None:
        app = app_trusting(auth_failures_per_minute=3)
        async with from_address(app, LOOPBACK) as client:
            for attempt in range(3):
                refused = await client.get(
                    "/api/support/tickets/1",
                    headers={"X-API-Key": "sd_live_guess", "X-Forwarded-For": f"6.6.6.{attempt}"},
                )
                assert_error(refused, 401, "INVALID_API_KEY")
            limited = await client.get(
                "/api/support/tickets/1",
                headers={"X-API-Key": "sd_live_guess", "X-Forwarded-For": "6.6.6.99"},
            )
            assert_rate_limited(limited)

    async def test_behind_a_trusted_proxy_each_caller_has_its_own_window(
        self, app_trusting: Callable[..., Any], db: Database, cast: Cast
    ) -> None:
        app = app_trusting("10.0.0.0/8", auth_failures_per_minute=2)
        ticket = await builders.ticket(
            db, number=616828, dept_id=cast.world.dept_id, client_id=cast.world.client_id
        )
        async with from_address(app, PROXY) as proxy:
            for _ in range(2):
                refused = await proxy.get(
                    f"/api/support/tickets/{ticket.number}",
                    headers={"X-API-Key": "sd_live_guess", "X-Forwarded-For": CALLER},
                )
                assert_error(refused, 401, "INVALID_API_KEY")
            limited = await proxy.get(
                f"/api/support/tickets/{ticket.number}",
                headers={"X-API-Key": "sd_live_guess", "X-Forwarded-For": f"{FORGED}, {CALLER}"},
            )
            assert_rate_limited(limited)
            other = await proxy.get(
                f"/api/support/tickets/{ticket.number}",
                headers={"X-API-Key": "sd_live_guess", "X-Forwarded-For": "198.51.100.8"},
            )
            assert_error(other, 401, "INVALID_API_KEY")
