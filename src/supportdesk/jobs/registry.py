"""Every task the runner calls, in the order it calls them on a tick."""

from __future__ import annotations

from supportdesk.jobs.task import Task
from supportdesk.webhooks.task import TASK as WEBHOOKS


def tasks() -> tuple[Task, ...]:
    """The tasks of this installation (auto-close, scheduled replies, SLA, mail, webhooks)."""
    return (WEBHOOKS,)
