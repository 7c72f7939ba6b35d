"""Every task the runner calls, in the order it calls them on a tick."""

from __future__ import annotations

from supportdesk.idempotency import cleanup as idempotency_cleanup
from supportdesk.jobs.task import Task
from supportdesk.mail.sender import MAIL_TASK
from supportdesk.sla import job as sla_job


def tasks() -> tuple[Task, ...]:
    """The tasks of this installation (auto-close, scheduled replies, SLA, mail, webhooks)."""
    from supportdesk.jobs import autoclose, scheduled
    from supportdesk.webhooks import task as webhooks

    # Scheduled replies first: a reply due now is sent before its ticket could auto-close; the
    # mail and the webhooks last, so that what they changed (a breach, a close) goes out on the
    # same tick.
    return (
        scheduled.TASK,
        autoclose.TASK,
        sla_job.TASK,
        idempotency_cleanup.TASK,
        MAIL_TASK,
        webhooks.TASK,
    )
