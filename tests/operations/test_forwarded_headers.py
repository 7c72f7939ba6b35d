"""X-Forwarded-For through the real `supportdesk serve` (uvicorn): uvicorn's own proxy-header
handling is off, so only SUPPORTDESK_TRUSTED_PROXIES decides, even from loopback and even with
uvicorn's FORWARDED_ALLOW_IPS set."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportdesk.core.db import Database
from tests import builders
from tests.api.assertions import assert_error, assert_rate_limited
from tests.operations.common import READ_WRITE, http_client
from tests.server import ServerProcess, running_server

CALLER = "203.0.113.5"


async def senderip_of_a_new_ticket(
    server: ServerProcess, key: str, staff_key: str, dept_id: int, forwarded: str
) -> str:
    async with http_client(key=key) as client:
        created = await client.post(
            f"{server.base_url}/api/support/tickets",
            headers={"X-Forwarded-For": forwarded},
            json={"dept_id": dept_id, "subject": "S", "body": "B", "priority": 1},
        )
        assert created.status_code == 200, created.text
        number = created.json()["data"]["ticket"]["number"]
    async with http_client(key=staff_key) as staff:
        shown = await staff.get(f"{server.base_url}/api/support/tickets/{number}")
    return str(shown.json()["data"]["ticket"]["senderip"])


@pytest.fixture
async def keys(db: Database, world: builders.World) -> tuple[str, str]:
    _, client_key = await builders.api_key(db, client_id=world.client_id, scopes=READ_WRITE)
    return client_key, world.staff_key


async def test_by_default_loopback_is_no_proxy(
    server_env: dict[str, str], tmp_path: Path, world: builders.World, keys: tuple[str, str]
) -> None:
    env = {**server_env, "FORWARDED_ALLOW_IPS": "*", "SUPPORTDESK_AUTH_FAILURES_PER_MINUTE": "3"}
    with running_server(env, tmp_path / "server.log") as server:
        for forwarded in (CALLER, "x" * 100):
            ip = await senderip_of_a_new_ticket(server, *keys, world.dept_id, forwarded)
            assert ip == "127.0.0.1"
        async with http_client() as client:
            url = f"{server.base_url}/api/support/tickets/1"
            for attempt in range(3):
                refused = await client.get(
                    url,
                    headers={"X-API-Key": "sd_live_guess", "X-Forwarded-For": f"6.6.6.{attempt}"},
                )
                assert_error(refused, 401, "INVALID_API_KEY")
            limited = await client.get(
                url, headers={"X-API-Key": "sd_live_guess", "X-Forwarded-For": "6.6.6.9"}
            )
            assert_rate_limited(limited)


async def test_a_configured_proxy_is_believed_right_to_left_and_junk_never_stored(
    server_env: dict[str, str], tmp_path: Path, world: builders.World, keys: tuple[str, str]
) -> None:
    env = {**server_env, "SUPPORTDESK_TRUSTED_PROXIES": "127.0.0.1"}
    with running_server(env, tmp_path / "server.log") as server:
        cases = {
            CALLER: CALLER,
            f"6.6.6.6, {CALLER}": CALLER,
            f"{CALLER}, 127.0.0.1": CALLER,
            "x" * 100: "127.0.0.1",
            "2001:db8::7": "2001:db8::7",
        }
        for forwarded, expected in cases.items():
            ip = await senderip_of_a_new_ticket(server, *keys, world.dept_id, forwarded)
            assert ip == expected, forwarded
