"""Webhook throughput to a local receiver, against raw HTTP posts in the same run.

`python -m bench.webhooks [--tickets N] [--batch B] [--postgres-url URL]`: a fresh database
(SQLite in a temporary directory; with `--postgres-url`, a scratch database made and dropped
through that server) with the demo data, one endpoint, and N tickets opened and closed (2N
deliveries, two per ticket, so the order per ticket is in play). A receiver answering 204
runs in its own process (uvicorn). The delivery job then runs, tick after tick, until nothing
is due: deliveries per second, the claim, signing, POST and bookkeeping included. The floor is
the same bodies POSTed with httpx alone (no database, no signature), B at a time as the job
sends them. Printed: both rates and their ratio (never asserted).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import func, make_url, select

from supportdesk.attachments.storage import FileStore
from supportdesk.core.actor import VIA_API_V2, VIA_CLI, Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.migrate import upgrade
from supportdesk.core.scopes import SCOPES
from supportdesk.demo import load_demo
from supportdesk.departments.models import Department
from supportdesk.jobs.task import JobContext
from supportdesk.tickets import service as tickets
from supportdesk.tickets.records import NewTicket
from supportdesk.webhooks import service as webhooks
from supportdesk.webhooks.models import DELIVERED, WebhookDelivery
from supportdesk.webhooks.task import deliver_due


async def receiver(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The receiver: reads the body, answers 204."""
    assert scope["type"] == "http"
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the receiver did not start")


@asynccontextmanager
async def _database(postgres_url: str | None) -> AsyncIterator[str]:
    if postgres_url is None:
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{Path(directory) / 'bench.db'}"
        return
    admin = make_url(postgres_url).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    name = f"sd_bench_webhooks_{os.getpid()}"
    connection = await asyncpg.connect(dsn)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        connection = await asyncpg.connect(dsn)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


async def _seed(db: Database, settings: Settings, url: str, tickets_count: int) -> None:
    operator = Actor.system(VIA_CLI)
    async with db.transaction() as session:
        summary = await load_demo(session, FileStore(settings.data_dir / "files"))
        slug = (
            await session.execute(select(Department.slug).where(Department.visible).limit(1))
        ).scalar_one()
        await webhooks.create_endpoint(session, operator, settings, url=url, events="*")
    client_id = next(c["id"] for c in summary["clients"] if c["status"] == "Active")
    client = Actor.client(client_id, VIA_API_V2, frozenset(SCOPES[:3]))
    opened = []
    for n in range(tickets_count):
        async with db.transaction() as session:
            new = NewTicket(
                subject=f"Bench {n}", body="The mail bounces.", priority="low", dept_slug=slug
            )
            ticket = await tickets.open_ticket(session, client, new)
            opened.append(ticket.public_id)
    for public_id in opened:
        async with db.transaction() as session:
            await tickets.close_ticket(session, client, public_id)


async def _deliver(db: Database, settings: Settings) -> tuple[int, float]:
    started = time.perf_counter()
    made = 0
    while True:
        context = JobContext(db=db, settings=settings, now=utcnow(), worker="bench")
        step = await deliver_due(context)
        if not step:
            break
        made += step
    return made, time.perf_counter() - started


async def _floor(url: str, bodies: list[str], batch: int) -> float:
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
        for start in range(0, len(bodies), batch):
            answers = await asyncio.gather(
                *(
                    client.post(url, content=body, headers={"content-type": "application/json"})
                    for body in bodies[start : start + batch]
                )
            )
            assert all(answer.status_code == 204 for answer in answers)
    return time.perf_counter() - started


async def _run_job(
    database_url: str, url: str, tickets_count: int, batch: int
) -> tuple[list[str], int, float, int]:
    """Seed, then deliver: the bodies, the attempts made, their seconds, how many delivered."""
    await asyncio.to_thread(upgrade, database_url)
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            database_url=database_url,
            data_dir=Path(data_dir),
            webhooks_allow_private=True,
            webhooks_batch_size=batch,
            log_level="WARNING",
        )
        db = Database(settings)
        try:
            await _seed(db, settings, url, tickets_count)
            async with db.transaction() as session:
                bodies = list((await session.execute(select(WebhookDelivery.payload))).scalars())
            made, seconds = await _deliver(db, settings)
            async with db.transaction() as session:
                delivered = (
                    await session.execute(
                        select(func.count()).where(WebhookDelivery.status == DELIVERED)
                    )
                ).scalar_one()
        finally:
            await db.dispose()
    return bodies, made, seconds, int(delivered)


async def measure(
    url: str, tickets_count: int, batch: int, postgres_url: str | None
) -> dict[str, Any]:
    async with _database(postgres_url) as database_url:
        bodies, made, seconds, delivered = await _run_job(database_url, url, tickets_count, batch)
    floor_seconds = await _floor(url, bodies, batch)
    rate = made / seconds
    floor_rate = len(bodies) / floor_seconds
    return {
        "backend": "postgresql" if postgres_url else "sqlite",
        "deliveries": len(bodies),
        "delivered": delivered,
        "attempts": made,
        "batch": batch,
        "webhooks_per_second": round(rate, 1),
        "raw_posts_per_second": round(floor_rate, 1),
        "ratio_to_raw_posts": round(rate / floor_rate, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve is not None:
        import uvicorn

        uvicorn.run(
            receiver,
            host="127.0.0.1",
            port=options.serve,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        return
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench.webhooks", "--serve", str(port)])
    try:
        _wait_for(port)
        url = f"http://127.0.0.1:{port}/hooks"
        result = asyncio.run(measure(url, options.tickets, options.batch, options.postgres_url))
    finally:
        server.terminate()
        server.wait(timeout=10)
    for name, value in result.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
