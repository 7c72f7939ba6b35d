"""Auto-close at once (issue 10's figures): 1,000 tickets fall due together; how long until all
are closed with one `supportdesk worker` process (the baseline) and with three, and how many
SQL statements a closed ticket costs. `python -m bench.jobs [--postgres-url URL]`.

The workers are started first and the work then falls due in one statement (the tickets are
marked Answered long after their staff reply), so process start-up is not in the figure. The
time is measured from that commit until the effect rows number 1,000 (polled every 10 ms).
The statement count is taken in-process (one runner tick over the same 1,000 tickets, each SQL
statement counted on the engine). Printed as figures and a ratio, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import delete, event, func, make_url, select, update
from tests import builders
from tests.jobs.due_work import quiet_answered_tickets

from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.migrate import upgrade
from supportdesk.jobs.models import JobEffect
from supportdesk.jobs.runner import Runner
from supportdesk.models import Department, Reply, Status, Ticket

TICKETS = 1_000
HOURS = 0.001


async def _prepare(settings: Settings) -> list[int]:
    """A department closing after 0.001 hours and TICKETS tickets answered an hour ago, Open
    for now (not due)."""
    database = Database(settings)
    try:
        world = await builders.world(database)
        async with database.transaction() as session:
            await session.execute(
                update(Department)
                .where(Department.id == world.dept_id)
                .values(auto_close_hours=HOURS)
            )
        long_ago = utcnow() - timedelta(hours=1)
        return await quiet_answered_tickets(
            database,
            numbers=range(500_001, 500_001 + TICKETS),
            dept_id=world.dept_id,
            client_id=world.client_id,
            staff_id=world.staff_id,
            answered_at=lambda _: long_ago,
            status="Open",
        )
    finally:
        await database.dispose()


async def _set_status(database: Database, tickets: list[int], status: str) -> None:
    async with database.transaction() as session:
        status_id = (
            await session.execute(select(Status.id).where(Status.name == status))
        ).scalar_one()
        await session.execute(
            update(Ticket).where(Ticket.id.in_(tickets)).values(status_id=status_id)
        )


async def _effects(database: Database) -> int:
    async with database.reading() as session:
        found = await session.execute(select(func.count()).select_from(JobEffect))
        return int(found.scalar_one())


@contextmanager
def _workers(url: str, count: int, logs: Path) -> Iterator[None]:
    """`count` `supportdesk worker` processes, up and ticking every 50 ms."""
    env = {
        **os.environ,
        "SUPPORTDESK_DATABASE_URL": url,
        "SUPPORTDESK_JOBS_INTERVAL_SECONDS": "0.05",
        "SUPPORTDESK_LOG_LEVEL": "INFO",
        "SUPPORTDESK_DATA_DIR": str(logs),
    }
    processes: list[subprocess.Popen[bytes]] = []
    files = [logs / f"worker-{count}-{index}.log" for index in range(count)]
    try:
        for log in files:
            with log.open("wb") as handle:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "supportdesk", "worker"],
                        env=env,
                        stdout=handle,
                        stderr=subprocess.STDOUT,
                    )
                )
        deadline = time.monotonic() + 180
        while not all("jobs started" in log.read_text() for log in files):
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError(f"a worker did not start: {files[0].read_text()[-2000:]}")
            time.sleep(0.1)
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


async def _time_to_close(settings: Settings, tickets: list[int], workers: int, logs: Path) -> float:
    """Seconds from the tickets falling due until all are closed, with `workers` processes."""
    database = Database(settings)
    try:
        with _workers(settings.database_url, workers, logs):
            before = await _effects(database)
            await _set_status(database, tickets, "Answered")
            started = time.perf_counter()
            done = before
            while done < before + len(tickets):
                await asyncio.sleep(0.01)
                done = await _effects(database)
            return time.perf_counter() - started
    finally:
        await database.dispose()


async def _reopen(settings: Settings, tickets: list[int]) -> None:
    """The same tickets, ready to fall due again: Open, their latest message a staff reply an
    hour old (the System reply and the effect row of the last close removed)."""
    database = Database(settings)
    try:
        async with database.transaction() as session:
            await session.execute(
                delete(Reply).where(Reply.ticket_id.in_(tickets), Reply.type == "System")
            )
            await session.execute(delete(JobEffect))
            await session.execute(
                update(Ticket)
                .where(Ticket.id.in_(tickets))
                .values(last_reply_at=utcnow() - timedelta(hours=1))
            )
        await _set_status(database, tickets, "Open")
    finally:
        await database.dispose()


async def _statements_per_close(settings: Settings, tickets: list[int]) -> tuple[int, int]:
    """(statements, tickets closed) of one in-process runner tick over the due tickets."""
    database = Database(settings)
    try:
        await _set_status(database, tickets, "Answered")
        engine: Any = database._sqlite_engine or database._async_engine.sync_engine  # type: ignore[union-attr]
        counted: list[str] = []

        def count(*args: Any) -> None:
            counted.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            made = await Runner(database, settings, worker="bench:0:000").tick()
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(counted), made["auto_close"]
    finally:
        await database.dispose()


async def measure(settings: Settings, logs: Path) -> dict[str, float]:
    tickets = await _prepare(settings)
    one = await _time_to_close(settings, tickets, 1, logs)
    await _reopen(settings, tickets)
    three = await _time_to_close(settings, tickets, 3, logs)
    await _reopen(settings, tickets)
    statements, closed = await _statements_per_close(settings, tickets)
    return {
        "one process (s)": one,
        "three processes (s)": three,
        "three / one": three / one,
        "statements per closed ticket": statements / closed,
        "closed in the counted tick": closed,
    }


def _run(url: str, logs: Path) -> dict[str, float]:
    upgrade(url)
    settings = Settings(database_url=url, log_level="WARNING")
    return asyncio.run(measure(settings, logs))


def _postgres(admin_url: str, logs: Path) -> dict[str, float]:
    dsn = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"sd_bench_jobs_{os.getpid()}"

    async def admin(*statements: str) -> None:
        connection = await asyncpg.connect(dsn)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    asyncio.run(admin(drop, f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(dsn).set(database=name).render_as_string(hide_password=False)
        return _run(url, logs)
    finally:
        asyncio.run(admin(drop))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", help="a server where a scratch database may be made")
    parser.add_argument("--skip-sqlite", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="supportdesk-bench-jobs-") as directory:
        logs = Path(directory)
        results: dict[str, dict[str, float]] = {}
        if not options.skip_sqlite:
            results["sqlite"] = _run(f"sqlite:///{logs / 'bench.db'}", logs)
        if options.postgres_url:
            results["postgresql"] = _postgres(options.postgres_url, logs)
    print(f"auto-close of {TICKETS:,} tickets due at once (supportdesk worker processes)")
    for backend, figures in results.items():
        print(f"  {backend}:")
        for label, value in figures.items():
            print(f"    {label:32} {value:10.3f}")


if __name__ == "__main__":
    main()
