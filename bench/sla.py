"""The SLA breach job at several data sizes (`python -m bench.sla [--tickets 500,5000]`).

For each size, a fresh SQLite database gets that many open tickets, inserted without events, in
a department that then gets two policies (first response in 4 h, resolution in 48 h); its open
tickets are marked for the job, as the admin service marks them. Then, in-process:

- clocking: the job's ticks until no ticket is left marked, per ticket;
- an idle tick (nothing due): its time (median of 20) and SQL statements;
- breaching: ticks 5 h later until no first-response breach is left, per breach.

The figures are ratios within the run (the idle tick at the largest size against the smallest),
never asserted: the target is an idle tick that does not grow with the number of tickets.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select

from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.ids import public_id
from supportdesk.core.migrate import upgrade
from supportdesk.departments.models import Department, SlaPolicy, Status
from supportdesk.jobs.task import JobContext
from supportdesk.sla import job, pending, repository
from supportdesk.tickets.models import Ticket

IDLE_TICKS = 20


async def _load(database: Database, tickets: int, opened: datetime) -> None:
    async with database.transaction() as session:
        dept_id = (
            await session.execute(
                insert(Department)
                .values(slug="bench", name="Bench", email="bench@example.com")
                .returning(Department.id)
            )
        ).scalar_one()
        status_id = (
            await session.execute(select(Status.id).where(Status.name == "Open"))
        ).scalar_one()
        rows: list[dict[str, Any]] = [
            {
                "public_id": public_id("tkt"),
                "ticket_number": 100_000 + number,
                "acc_hash": f"{number:032d}",
                "dept_id": dept_id,
                "org_dept_id": dept_id,
                "status_id": status_id,
                "name": "Bench Client",
                "email": "client@example.com",
                "subject": "Bench",
                "body": "Bench",
                "type": "Client",
                "created_at": opened,
                "last_reply_at": opened,
                "updated_at": opened,
                "start_date": opened,
            }
            for number in range(tickets)
        ]
        for start in range(0, len(rows), 500):
            await session.execute(insert(Ticket).values(rows[start : start + 500]))
        for level, hours, trigger in ((1, 4.0, "first_response"), (2, 48.0, "resolution")):
            await session.execute(
                insert(SlaPolicy).values(
                    department_id=dept_id, level=level, hours=hours, trigger=trigger
                )
            )
        # What the admin service does when it adds a policy.
        await pending.mark_department(session, dept_id)


async def _ticks(database: Database, now: datetime) -> tuple[int, int]:
    """Ticks at `now` until one makes no effect and clocks no ticket: (ticks, effects)."""
    ticks = effects = 0
    while True:
        made = await job.run(JobContext(database, Settings(), now, "bench"))
        ticks += 1
        effects += made
        if made == 0:
            async with database.reading() as session:
                if not await repository.pending_tickets(session, 1):
                    return ticks, effects


async def measure(tickets: int, directory: Path) -> dict[str, float]:
    url = f"sqlite:///{directory / f'sla-{tickets}.db'}"
    upgrade(url)
    database = Database(Settings(database_url=url))
    statements: list[str] = []
    engine = database._sqlite_engine
    assert engine is not None
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    now = datetime.now(UTC)
    await _load(database, tickets, now - timedelta(hours=1))
    started = time.perf_counter()
    await _ticks(database, now)
    clocking = time.perf_counter() - started
    idle: list[float] = []
    for _ in range(IDLE_TICKS):
        statements.clear()
        started = time.perf_counter()
        await job.run(JobContext(database, Settings(), now, "bench"))
        idle.append(time.perf_counter() - started)
    idle_statements = len(statements)
    statements.clear()
    started = time.perf_counter()
    _, breaches = await _ticks(database, now + timedelta(hours=5))
    breaching = time.perf_counter() - started
    await database.dispose()
    return {
        "tickets": tickets,
        "clocking_ms_per_ticket": clocking * 1000 / tickets,
        "idle_tick_ms": statistics.median(idle) * 1000,
        "idle_tick_statements": idle_statements,
        "breaches": breaches,
        "breach_ms_each": breaching * 1000 / max(breaches, 1),
        "statements_per_breach": len(statements) / max(breaches, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", default="500,5000", help="sizes, comma-separated")
    options = parser.parse_args()
    sizes = [int(size) for size in options.tickets.split(",")]
    # In memory where the machine has /dev/shm: the figures are the job's, not the disk's
    # fsync of each ticket's commit.
    shm = Path("/dev/shm")  # noqa: S108 (a private temporary directory is made in it)
    where = str(shm) if shm.is_dir() else None
    with tempfile.TemporaryDirectory(prefix="sla-bench-", dir=where) as directory:
        results = [asyncio.run(measure(size, Path(directory))) for size in sizes]
    print(
        "| tickets | clocking ms/ticket | idle tick ms | idle tick SQL | breaches "
        "| ms/breach | SQL/breach |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['tickets']} | {r['clocking_ms_per_ticket']:.2f} | {r['idle_tick_ms']:.2f} "
            f"| {r['idle_tick_statements']} | {r['breaches']} | {r['breach_ms_each']:.2f} "
            f"| {r['statements_per_breach']:.1f} |"
        )
    first, last = results[0], results[-1]
    print(
        f"idle tick at {last['tickets']} / at {first['tickets']} tickets: "
        f"{last['idle_tick_ms'] / first['idle_tick_ms']:.2f} (target: about 1)"
    )


if __name__ == "__main__":
    main()
