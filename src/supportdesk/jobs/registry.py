"""Every task the runner calls, in the order it calls them on a tick."""

from __future__ import annotations

from supportdesk.idempotency import cleanup as idempotency_cleanup
from supportdesk.jobs.task import Task
from supportdesk.sla import job as sla_job


def tasks() -> tuple[Task, ...]:
    """The tasks of this installation (auto-close, scheduled replies, SLA, mail, webhooks)."""
    from supportdesk.jobs import autoclose, scheduled

    # Scheduled replies first: a reply due now is sent before its ticket could auto-close.
    return (scheduled.TASK, autoclose.TASK, sla_job.TASK, idempotency_cleanup.TASK)
