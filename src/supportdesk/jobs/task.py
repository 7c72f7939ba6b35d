"""What a job is: a named batch of due work that the runner calls on every tick."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from supportdesk.core.config import Settings
from supportdesk.core.db import Database


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a task is given: the database, the settings, the tick's time and who is working."""

    db: Database
    settings: Settings
    now: datetime
    # This process's worker id (the lease owner it writes on the rows it claims).
    worker: str


@dataclass(frozen=True, slots=True)
class Task:
    """A batch of due work: `run` does what is due at `context.now` and returns how many
    effects it made (0 when nothing was due), so the runner can go on while there is more."""

    name: str
    run: Callable[[JobContext], Awaitable[int]]
