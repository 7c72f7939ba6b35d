"""`supportdesk jobs run-once` does what is due, once; `supportdesk worker`, a process of its
own, does it every interval until SIGTERM, and then exits cleanly."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import Run
from tests.jobs.conftest import Desk

# Every task, in the order the runner calls them on a tick.
TASKS = (
    "scheduled_replies",
    "auto_close",
    "sla_breaches",
    "idempotency_cleanup",
    "mail",
    "webhooks",
)


async def _answered_and_quiet(desk: Desk) -> int:
    await desk.auto_close_after(0.0001)  # 0.36 s
    opened = await desk.open()
    await desk.answer(opened.ticket_number)
    await asyncio.sleep(0.5)
    return opened.ticket_number


async def test_jobs_run_once_closes_what_is_due_and_says_so(desk: Desk, run: Run) -> None:
    number = await _answered_and_quiet(desk)
    result = await asyncio.to_thread(run, "jobs", "run-once")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{name}: {1 if name == 'auto_close' else 0}" for name in TASKS
    ]
    assert (await desk.ticket(number)).status == "Closed"
    again = await asyncio.to_thread(run, "jobs", "run-once")
    assert again.output.splitlines() == [f"{name}: 0" for name in TASKS]


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as handle:
        return subprocess.Popen(
            [sys.executable, "-m", "supportdesk", "worker"],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )


async def test_a_worker_process_closes_due_tickets_and_stops_on_sigterm(
    desk: Desk, database_url: str, tmp_path: Path
) -> None:
    number = await _answered_and_quiet(desk)
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "SUPPORTDESK_DATABASE_URL": database_url,
        "SUPPORTDESK_JOBS_INTERVAL_SECONDS": "0.05",
        "SUPPORTDESK_LOG_LEVEL": "INFO",
    }
    worker = _start_worker(env, log)
    try:
        deadline = time.monotonic() + 120
        status = (await desk.ticket(number)).status
        while status != "Closed" and time.monotonic() < deadline and worker.poll() is None:
            await asyncio.sleep(0.2)
            status = (await desk.ticket(number)).status
        assert status == "Closed", log.read_text()[-2000:]
    finally:
        worker.terminate()
        code = await asyncio.to_thread(worker.wait, 30)
    assert code == 0, log.read_text()[-2000:]
    assert '"message":"jobs stopped"' in log.read_text()
