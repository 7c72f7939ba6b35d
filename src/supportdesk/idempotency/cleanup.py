"""The job that forgets idempotency records once they are older than the replay window."""

from __future__ import annotations

from datetime import timedelta

from supportdesk.idempotency import repository
from supportdesk.jobs.task import JobContext, Task

# How long the same key from the same API key answers with the first answer (README).
REPLAY_WINDOW = timedelta(hours=24)


async def forget_expired(context: JobContext) -> int:
    """Delete the records past the window; returns how many went."""
    async with context.db.transaction() as session:
        return await repository.delete_older_than(session, context.now - REPLAY_WINDOW)


TASK = Task("idempotency_cleanup", forget_expired)
