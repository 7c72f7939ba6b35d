"""Every task the runner calls, in the order it calls them on a tick."""

from __future__ import annotations

from supportdesk.jobs.task import Task
from supportdesk.mail.sender import MAIL_TASK


def tasks() -> tuple[Task, ...]:
    """The tasks of this installation (auto-close, scheduled replies, SLA, mail, webhooks)."""
    from supportdesk.jobs import autoclose, scheduled

    # Scheduled replies first: a reply due now is sent before its ticket could auto-close; the
    # mail last, so that what they changed goes out on the same tick.
    return (scheduled.TASK, autoclose.TASK, MAIL_TASK)
