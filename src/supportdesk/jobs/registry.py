"""Every task the runner calls, in the order it calls them on a tick."""

from __future__ import annotations

from supportdesk.jobs.task import Task


def tasks() -> tuple[Task, ...]:
    """The tasks of this installation (auto-close, scheduled replies, SLA, mail, webhooks)."""
    from supportdesk.jobs import autoclose, scheduled
    from supportdesk.webhooks import task as webhooks

    # Scheduled replies first: a reply due now is sent before its ticket could auto-close.
    return (scheduled.TASK, autoclose.TASK, webhooks.TASK)
