"""Issue 10's kill test for mail: real `supportdesk serve` processes share one outbox (the
backend under test) and one SMTP server; one is SIGKILLed again and again while batches are
being sent, and started again. Every mail arrives at least once, under its own `Message-ID`,
and nothing arrives that the outbox did not hold."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP as SmtpServer
from aiosmtpd.smtp import Envelope, Session
from sqlalchemy import func, select

from supportdesk.core.clock import utcnow
from supportdesk.core.db import Database
from supportdesk.mail import repository
from supportdesk.mail.models import MailOutbox
from supportdesk.mail.repository import NewMail
from tests import builders
from tests import server as servers_module
from tests.mail.conftest import MAIL_FROM
from tests.mail.peer import HOST, Inbox, smtp_server
from tests.server import ServerProcess, start_server

MAILS = 240
PROCESSES = 2
KILLS = 3
LEASE_SECONDS = 2


class SlowInbox(Inbox):
    """Takes a little while per mail, so that a kill lands inside a batch being sent."""

    async def handle_DATA(self, server: SmtpServer, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


async def _queue(db: Database, ticket_id: int) -> list[str]:
    now = utcnow()
    ids = [f"<kill-{i}@hostup.example>" for i in range(MAILS)]
    async with db.transaction() as session:
        for i, message_id in enumerate(ids):
            await repository.insert_mail(
                session,
                NewMail(
                    message_id=message_id,
                    ticket_id=ticket_id,
                    kind="client_reply",
                    recipients=[f"client{i}@example.com"],
                    subject=f"[#1] mail {i}",
                    text_body=f"mail {i}",
                    html_body=f"<p>mail {i}</p>",
                    headers={"From": MAIL_FROM, "To": f"client{i}@example.com"},
                    created_at=now,
                ),
            )
    return ids


async def _unsent(db: Database) -> int:
    async with db.reading() as session:
        found = await session.execute(
            select(func.count()).select_from(MailOutbox).where(MailOutbox.status != "sent")
        )
        return int(found.scalar_one())


async def _until_sent(db: Database, *, within: float) -> None:
    for _ in range(int(within / 0.2)):
        if not await _unsent(db):
            return
        await asyncio.sleep(0.2)


def _until_received(inbox: Inbox, count: int, within: float) -> None:
    deadline = time.monotonic() + within
    while len(inbox.received) < count and time.monotonic() < deadline:
        time.sleep(0.02)


async def test_senders_killed_mid_batch_deliver_every_mail_with_its_id(
    db: Database, server_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(servers_module, "START_TIMEOUT", 120.0)
    world = await builders.world(db)
    ticket = await builders.ticket(
        db, number=300_001, dept_id=world.dept_id, client_id=world.client_id
    )
    inbox = SlowInbox()
    log = tmp_path / "servers.log"
    kills = 0
    with smtp_server(inbox) as port:
        env = {
            **server_env,
            "SUPPORTDESK_SMTP_URL": f"smtp://{HOST}:{port}",
            "SUPPORTDESK_MAIL_FROM": MAIL_FROM,
            "SUPPORTDESK_MAIL_LEASE_SECONDS": str(LEASE_SECONDS),
            "SUPPORTDESK_JOBS_ENABLED": "true",
            "SUPPORTDESK_JOBS_INTERVAL_SECONDS": "0.05",
        }
        servers: list[ServerProcess] = list(
            await asyncio.gather(
                *(asyncio.to_thread(start_server, env, log) for _ in range(PROCESSES))
            )
        )
        try:
            ids = await _queue(db, ticket.id)
            for round_ in range(KILLS):
                # Once the senders are in the middle of the outbox, kill one and start it again.
                wanted = (round_ + 1) * MAILS // (KILLS + 2)
                await asyncio.to_thread(_until_received, inbox, wanted, 60)
                victim = servers[round_ % PROCESSES]
                victim.kill()
                kills += 1
                servers[round_ % PROCESSES] = await asyncio.to_thread(start_server, env, log)
            await _until_sent(db, within=90)
        finally:
            for server in servers:
                server.stop()
    received = Counter(str(got.message["Message-ID"]) for got in inbox.received)
    assert kills == KILLS
    assert await _unsent(db) == 0, log.read_text()[-2000:]
    assert set(received) == set(ids), "every mail, and nothing the outbox did not hold"
    # At least once: a batch a killed sender had sent but not yet recorded goes again, under
    # the same ids (how many did is the run's; never a mail under a new id).
    assert all(count >= 1 for count in received.values())
    duplicates = sum(count - 1 for count in received.values())
    print(f"mail kill test: {kills} kills, {len(ids)} mails, {duplicates} sent again (same id)")
