"""Every task the runner calls, in the order it calls them on a tick."""

from __future__ import annotations

from supportdesk.idempotency import cleanup as idempotency_cleanup
from supportdesk.jobs.task import Task


def tasks() -> tuple[Task, ...]:
    """The tasks of this installation (auto-close, scheduled replies, SLA, mail, webhooks)."""
    return (idempotency_cleanup.TASK,)
