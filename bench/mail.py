"""Mail throughput: what the outbox costs a change, and how fast its job delivers to a local SMTP
server, each as a ratio to a baseline measured in the same run.

`python -m bench.mail [--tickets 100] [--postgres ADMIN_URL]`: on a fresh SQLite file (or a
scratch PostgreSQL database made through ADMIN_URL and dropped after),

1. changes: open `tickets` tickets and answer each `REPLIES` times through the services, first
   with the mail hook switched off (the baseline), then on (each change writes its mails);
2. delivery: the mail job (`mail.sender`, claim with a lease, send, mark sent) drains the outbox
   to an aiosmtpd server on loopback, against the baseline of the same messages sent by
   aiosmtplib alone over one connection (no database).

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from unittest.mock import patch

import asyncpg
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SmtpServer
from aiosmtpd.smtp import Envelope, Session
from sqlalchemy import insert, make_url

from supportdesk.accounts.models import Staff
from supportdesk.core.actor import VIA_API_V2, Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.migrate import upgrade
from supportdesk.core.scopes import MANAGE_SUPPORT, READ_SUPPORT, WRITE_SUPPORT
from supportdesk.departments.models import Department
from supportdesk.jobs import events
from supportdesk.jobs.task import JobContext
from supportdesk.mail import repository, smtp
from supportdesk.mail.sender import send_due_mail
from supportdesk.tickets import service
from supportdesk.tickets.records import NewMessage, NewTicket

REPLIES = 4
ROUNDS = 5


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: SmtpServer, session: Session, envelope: Envelope) -> str:
        self.count += 1
        return "250 OK"


async def _seed(db: Database) -> tuple[int, Actor]:
    async with db.transaction() as session:
        dept = (
            await session.execute(
                insert(Department)
                .values(slug="bench", name="Bench", email="desk@bench.example")
                .returning(Department.id)
            )
        ).scalar_one()
        staff = (
            await session.execute(
                insert(Staff)
                .values(username="bench", firstname="Ben", lastname="Ch", email="ben@bench.example")
                .returning(Staff.id)
            )
        ).scalar_one()
    return int(dept), Actor.staff(
        int(staff), VIA_API_V2, frozenset({READ_SUPPORT, WRITE_SUPPORT, MANAGE_SUPPORT})
    )


async def _changes(db: Database, dept: int, staff: Actor, tickets: int) -> float:
    """Seconds to open `tickets` tickets (for guests, with a cc) and answer each REPLIES times."""
    start = time.perf_counter()
    for i in range(tickets):
        async with db.transaction() as session:
            opened = await service.open_ticket(
                session,
                staff,
                NewTicket(
                    subject=f"Bench ticket {i}",
                    body="Something is broken.",
                    priority="medium",
                    dept_id=dept,
                    guest_name="Guest",
                    guest_email=f"guest{i}@client.example",
                    cc=("cc@client.example",),
                ),
            )
        for r in range(REPLIES):
            async with db.transaction() as session:
                await service.post_message(
                    session, staff, opened.ticket_number, NewMessage(f"Answer {r}")
                )
    return time.perf_counter() - start


async def _without_mail(work: Callable[[], Awaitable[float]]) -> float:
    async def nothing(session: object, event: object) -> int:
        return 0

    with patch.object(events, "enqueue_mails", nothing):
        return await work()


async def _drain(db: Database, settings: Settings) -> tuple[int, float]:
    sent = 0
    start = time.perf_counter()
    while True:
        made = await send_due_mail(JobContext(db, settings, utcnow(), "bench"))
        if made == 0:
            break
        sent += made
    return sent, time.perf_counter() - start


async def _raw(settings: Settings, db: Database) -> tuple[int, float]:
    """The same mails, each built and sent by aiosmtplib over one connection: no database."""
    async with db.transaction() as session:
        mails = await repository.list_mails(session, failed_only=False, limit=1_000_000)
    assert settings.smtp_url is not None
    client = smtp.client(settings, smtp.smtp_target(settings.smtp_url.get_secret_value()))
    sender = smtp.envelope_sender(settings)
    start = time.perf_counter()
    await client.connect()
    for mail in mails:
        await client.send_message(
            smtp.build_message(mail), sender=sender, recipients=mail.recipients
        )
    await client.quit()
    return len(mails), time.perf_counter() - start


async def _run(url: str, port: int, tickets: int, inbox: _Counter) -> None:
    settings = Settings(database_url=url, smtp_url=f"smtp://127.0.0.1:{port}", log_level="WARNING")
    db = Database(settings)
    try:
        dept, staff = await _seed(db)
        # Rounds alternate so that a shared machine's load falls on both alike; medians kept.
        per_round = max(1, tickets // ROUNDS)
        baselines, with_mails = [], []
        for _ in range(ROUNDS):
            baselines.append(await _without_mail(lambda: _changes(db, dept, staff, per_round)))
            with_mails.append(await _changes(db, dept, staff, per_round))
        baseline, with_mail = statistics.median(baselines), statistics.median(with_mails)
        changes = per_round * (1 + REPLIES)
        # The baseline before and after the job (the same messages), their mean kept.
        raw_count, raw_before = await _raw(settings, db)
        sent, drained = await _drain(db, settings)
        _, raw_after = await _raw(settings, db)
        raw = (raw_before + raw_after) / 2
    finally:
        await db.dispose()
    backend = make_url(url).get_backend_name()
    print(
        f"\nmail bench ({backend}): {ROUNDS} rounds of {per_round} tickets x (open + {REPLIES} "
        "replies), with and without mail alternately (medians)"
    )
    print("| case | count | per second | ratio to baseline |")
    print("|---|---|---|---|")
    print(f"| changes, mail hook off (baseline) | {changes} | {changes / baseline:.0f} | 1.000 |")
    print(
        f"| changes writing their mails | {changes} | {changes / with_mail:.0f} "
        f"| {baseline / with_mail:.3f} |"
    )
    raw_rate, job_rate = raw_count / raw, sent / drained
    job_ratio = job_rate / raw_rate
    print(f"| aiosmtplib alone, one connection (baseline) | {raw_count} | {raw_rate:.0f} | 1.000 |")
    print(f"| outbox job: claim, send, mark sent | {sent} | {job_rate:.0f} | {job_ratio:.3f} |")
    per_change = sent / (changes * ROUNDS)
    print(
        f"server received {inbox.count} (job + baseline twice); mails per change {per_change:.2f}"
    )


async def _postgres(admin: str, work: Callable[[str], Awaitable[None]]) -> None:
    name = "sd_bench_mail"
    dsn = make_url(admin).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url)
        await work(url)
    finally:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100)
    parser.add_argument("--postgres", help="an admin URL: a scratch database is made through it")
    parser.add_argument("--directory", help="where the SQLite file goes (default: a temp dir)")
    args = parser.parse_args()
    inbox = _Counter()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        if args.postgres:
            asyncio.run(_postgres(args.postgres, lambda url: _run(url, port, args.tickets, inbox)))
        else:
            with tempfile.TemporaryDirectory(dir=args.directory) as directory:
                url = f"sqlite:///{Path(directory) / 'bench.db'}"
                upgrade(url)
                asyncio.run(_run(url, port, args.tickets, inbox))
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
