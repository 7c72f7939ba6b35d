"""`supportdesk serve` with SUPPORTDESK_SMTP_URL: the jobs it runs deliver a ticket's mails to
a real SMTP server, with nothing else started (the embedded default)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from supportdesk.core.db import Database
from tests import conversation_builders
from tests.mail.conftest import MAIL_FROM, PUBLIC_URL
from tests.mail.peer import HOST, Inbox, smtp_server
from tests.server import running_server

WAIT_SECONDS = 30


def _wait_for(inbox: Inbox, count: int) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while len(inbox.received) < count and time.monotonic() < deadline:
        time.sleep(0.1)


async def test_the_server_delivers_a_new_tickets_mails_by_itself(
    db: Database, server_env: dict[str, str], tmp_path: Path
) -> None:
    cast = await conversation_builders.cast(db)
    inbox = Inbox()
    with smtp_server(inbox) as port:
        env = {
            **server_env,
            "SUPPORTDESK_SMTP_URL": f"smtp://{HOST}:{port}",
            "SUPPORTDESK_MAIL_FROM": MAIL_FROM,
            "SUPPORTDESK_PUBLIC_URL": PUBLIC_URL,
            "SUPPORTDESK_JOBS_ENABLED": "true",
            "SUPPORTDESK_JOBS_INTERVAL_SECONDS": "0.2",
        }
        with running_server(env, tmp_path / "server.log") as server:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
                created = await http.post(
                    "/api/support/tickets",
                    headers={"X-API-Key": cast.client_key},
                    json={
                        "dept_id": cast.world.dept_id,
                        "subject": "Mail bounces",
                        "body": "Since this morning.",
                        "priority": 1,
                    },
                )
                assert created.status_code == 200, created.text
                number = created.json()["data"]["ticket"]["number"]
            await asyncio.to_thread(_wait_for, inbox, 2)
    assert len(inbox.received) == 2, (tmp_path / "server.log").read_text()[-2000:]
    confirmation = next(got for got in inbox.received if "ada@example.com" in got.rcpt_tos)
    assert f"[#{number}]" in confirmation.message["Subject"]
    assert f"{PUBLIC_URL}/portal/tickets/{number}?hash=" in confirmation.part("plain")
    assert confirmation.message["Message-ID"].endswith("@hostup.example>")
