"""The loop that calls every task: in each `serve` process, in `supportdesk worker`, or once.

Every `SUPPORTDESK_JOBS_INTERVAL_SECONDS` the runner calls each task of the registry in turn,
again while it reports effects (a backlog drains batch after batch in one tick), at most
`MAX_ROUNDS` times a tick so that one busy task cannot starve the others. A task that raises
is logged and the runner goes on: the effects it committed stay, what it had not committed is
due again on the next tick. Any number of runners may share one database (`jobs.lease`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.jobs import registry
from supportdesk.jobs.task import JobContext, Task

log = logging.getLogger("supportdesk.jobs")

# Rounds of one task in one tick: its batches while it finds work, then the next task.
MAX_ROUNDS = 50


def worker_id() -> str:
    """`host:pid:random`: this process's name on what it claims (unique even if pids repeat)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class Runner:
    """Calls the tasks on `db` every `settings.jobs_interval_seconds`."""

    db: Database
    settings: Settings
    tasks: Sequence[Task] = field(default_factory=registry.tasks)
    worker: str = field(default_factory=worker_id)

    async def tick(self, now: datetime | None = None) -> dict[str, int]:
        """Call each task until it finds nothing more (at most `MAX_ROUNDS` batches): the
        effects each made. `now` fixes the time the tasks see (tests, `jobs run-once --at`)."""
        made: dict[str, int] = {}
        for task in self.tasks:
            made[task.name] = 0
            for _ in range(MAX_ROUNDS):
                context = JobContext(self.db, self.settings, now or utcnow(), self.worker)
                try:
                    count = await task.run(context)
                except Exception:
                    log.exception("job failed", extra={"job": task.name, "worker": self.worker})
                    break
                made[task.name] += count
                if count <= 0:
                    break
        return made

    async def run_forever(self) -> None:
        """Tick, sleep the interval, tick again, until cancelled."""
        log.info("jobs started", extra={"worker": self.worker})
        while True:
            made = await self.tick()
            if any(made.values()):
                log.info("jobs ran", extra={"worker": self.worker, **made})
            await asyncio.sleep(self.settings.jobs_interval_seconds)


async def run_once(settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """One tick on a database of its own (the CLI's `jobs run-once`)."""
    database = Database(settings)
    try:
        return await Runner(database, settings).tick(now)
    finally:
        await database.dispose()


async def run_worker(settings: Settings) -> None:
    """The jobs alone, until SIGTERM or SIGINT (`supportdesk worker`): a transaction in
    flight is rolled back (its work is due again), then the process exits."""
    database = Database(settings)
    running = asyncio.create_task(Runner(database, settings).run_forever())
    loop = asyncio.get_running_loop()
    for stop in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop, running.cancel)
    try:
        await running
    except asyncio.CancelledError:
        log.info("jobs stopped")
    finally:
        await database.dispose()
