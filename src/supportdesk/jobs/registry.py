"""Every task the runner calls, in the order it calls them on a tick."""

from __future__ import annotations

from supportdesk.jobs.task import Task
from supportdesk.mail.sender import MAIL_TASK


def tasks() -> tuple[Task, ...]:
    """The tasks of this installation (auto-close, scheduled replies, SLA, mail, webhooks)."""
    return (MAIL_TASK,)
