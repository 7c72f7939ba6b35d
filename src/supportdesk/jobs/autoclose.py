"""Auto-close (automation.md): a ticket in a status with `auto_close` whose department has
`auto_close_hours` > 0 and whose latest message is staff's (or the system's) and older than
that is closed with a `System` reply.

One transaction a batch: the due tickets are found and locked in one indexed statement
(skipping tickets another process holds, on PostgreSQL), read again under the lock (a client
reply committed a moment before wins), and closed with its effect key
`autoclose:{ticket}:{last message}` in the same transaction, so a second process, or a retry
after a crash, closes nothing twice. The batch's effect keys, `System` replies, ticket
updates, version moves and `closed` events are one statement each (`service.record_changes`).
"""

from __future__ import annotations

import logging

from supportdesk.jobs.effects import record_effects
from supportdesk.jobs.task import JobContext, Task
from supportdesk.tickets import automatic
from supportdesk.tickets.repository import automatic as rows

log = logging.getLogger("supportdesk.jobs")


async def close_quiet_tickets(context: JobContext) -> int:
    """Close up to a batch of due tickets; how many were closed. When the batch fails, its
    tickets are closed one by one, each in its own transaction: one ticket that cannot be
    closed (logged, and due again next time) does not hold back the others."""
    try:
        return await _close(context)
    except Exception:
        log.exception("auto-close batch failed: one ticket at a time", extra={"job": "auto_close"})
    async with context.db.reading() as session:
        rules = await rows.auto_close_rules(session)
        limit = context.settings.jobs_batch_size
        due = (
            []
            if rules is None
            else await rows.quiet_tickets(session, rules, context.now, limit=limit, lock=False)
        )
    closed = 0
    for ticket in due:
        try:
            closed += await _close(context, among=[ticket.state.id])
        except Exception:
            log.exception(
                "auto-close failed", extra={"job": "auto_close", "ticket_id": ticket.state.id}
            )
    return closed


async def _close(context: JobContext, among: list[int] | None = None) -> int:
    async with context.db.transaction() as session:
        rules = await rows.auto_close_rules(session)
        if rules is None:
            return 0
        limit = context.settings.jobs_batch_size
        due = await rows.quiet_tickets(session, rules, context.now, limit=limit, among=among)
        if due and session.dialect_name != "sqlite":
            # The re-check, under the locks just taken: each statement of a PostgreSQL
            # transaction reads what was committed before it. (SQLite's write transaction has
            # held the whole database since its first statement: nothing changed since.)
            locked = [ticket.state.id for ticket in due]
            due = await rows.quiet_tickets(
                session, rules, context.now, limit=limit, among=locked, lock=False
            )
        keys = {f"autoclose:{ticket.state.id}:{ticket.last_message_id}": ticket for ticket in due}
        made = await record_effects(session, list(keys), worker=context.worker, now=context.now)
        closing = [ticket for key, ticket in keys.items() if key in made]
        await automatic.close_quiet_tickets(session, closing, rules.closed_status_id, context.now)
        return len(closing)


TASK = Task("auto_close", close_quiet_tickets)
