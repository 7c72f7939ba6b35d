"""The embedded default: `supportdesk serve` runs the delivery job itself, and a receiver on
loopback gets a ticket's events, signed, without anything else started."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.server import running_server
from tests.webhooks.conftest import HOOKS, Desk
from tests.webhooks.receiver import Receiver

TICKETS = "/api/v2/support/tickets"


async def test_serve_delivers_a_tickets_events_by_itself(
    server_env: dict[str, str], tmp_path: Path, desk: Desk, receiver: Receiver
) -> None:
    env = {
        **server_env,
        "SUPPORTDESK_JOBS_ENABLED": "true",
        "SUPPORTDESK_JOBS_INTERVAL_SECONDS": "0.1",
        "SUPPORTDESK_WEBHOOKS_ALLOW_PRIVATE": "true",
    }
    with running_server(env, tmp_path / "server.log") as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=15) as api:
            created = await api.post(HOOKS, headers=desk.admin, json={"url": receiver.url})
            assert created.status_code == 201, created.text
            receiver.secret = created.json()["secret"]
            body = {"departmentSlug": desk.cast.dept_slug, "subject": "Down", "message": "Help"}
            opened = await api.post(TICKETS, headers=desk.client, json=body)
            assert opened.status_code == 201, opened.text
            ticket = opened.json()["id"]
            closed = await api.post(f"{TICKETS}/{ticket}/actions/close", headers=desk.staff)
            assert closed.status_code == 200, closed.text
            for _ in range(200):  # 20 s at most
                if len(receiver.verified()) >= 2:
                    break
                await asyncio.sleep(0.1)
    arrivals = receiver.verified()
    assert [a.json["type"] for a in arrivals] == ["ticket.created", "ticket.closed"]
    assert all(a.json["data"]["ticket"]["id"] == ticket for a in arrivals)
