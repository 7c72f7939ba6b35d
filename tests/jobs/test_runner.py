"""The runner: each task in turn, again while it makes effects (bounded), a failing task logged
and the others still run; `serve` starts it in its lifespan when jobs are enabled."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable

import pytest

from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.jobs.runner import MAX_ROUNDS, Runner, worker_id
from supportdesk.jobs.task import JobContext, Task


async def test_each_task_runs_again_while_it_finds_work_and_a_failure_stops_none(
    settings_for: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    backlog = [3]
    calls: list[str] = []

    async def draining(context: JobContext) -> int:
        calls.append("draining")
        if backlog[0] == 0:
            return 0
        backlog[0] -= 1
        return 1

    async def failing(context: JobContext) -> int:
        calls.append("failing")
        raise RuntimeError("boom")

    async def endless(context: JobContext) -> int:
        calls.append("endless")
        return 1

    settings = settings_for()
    database = Database(settings)
    tasks = (Task("failing", failing), Task("draining", draining), Task("endless", endless))
    runner = Runner(database, settings, tasks=tasks, worker="test:1:abc")
    with caplog.at_level(logging.ERROR, logger="supportdesk.jobs"):
        made = await runner.tick()
    await database.dispose()
    assert made == {"failing": 0, "draining": 3, "endless": MAX_ROUNDS}
    assert calls.count("failing") == 1
    assert calls.count("draining") == 4  # three effects, then the round that found none
    assert [record.job for record in caplog.records] == ["failing"]  # type: ignore[attr-defined]


async def test_run_forever_ticks_every_interval_until_cancelled(
    settings_for: Callable[..., Settings],
) -> None:
    ticks: list[str] = []
    third = asyncio.Event()

    async def counting(context: JobContext) -> int:
        ticks.append(context.worker)
        if len(ticks) == 3:
            third.set()
        return 0

    settings = settings_for(jobs_interval_seconds=0.01)
    database = Database(settings)
    runner = Runner(database, settings, tasks=(Task("counting", counting),))
    running = asyncio.create_task(runner.run_forever())
    await asyncio.wait_for(third.wait(), timeout=10)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    await database.dispose()
    assert set(ticks) == {runner.worker}


def test_a_worker_id_names_the_host_and_process_and_differs_each_time() -> None:
    first, second = worker_id(), worker_id()
    assert first.startswith(f"{socket.gethostname()}:{os.getpid()}:")
    assert first != second
