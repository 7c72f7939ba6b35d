"""Auto-close (automation.md): a ticket in a status with `auto_close` whose department has
`auto_close_hours` > 0 and whose latest message is staff's (or the system's) and older than
that is closed with a `System` reply.

One transaction a batch: the due tickets are found and locked in one indexed statement
(skipping tickets another process holds, on PostgreSQL), read again under the lock (a client
reply committed a moment before wins), and each is closed with its effect key
`autoclose:{ticket}:{last message}` in the same transaction, so a second process, or a retry
after a crash, closes nothing twice.
"""

from __future__ import annotations

from supportdesk.jobs.effects import record_effect
from supportdesk.jobs.task import JobContext, Task
from supportdesk.tickets import automatic
from supportdesk.tickets.repository import automatic as rows


async def close_quiet_tickets(context: JobContext) -> int:
    """Close up to a batch of due tickets; how many were closed."""
    async with context.db.transaction() as session:
        rules = await rows.auto_close_rules(session)
        if rules is None:
            return 0
        limit = context.settings.jobs_batch_size
        due = await rows.quiet_tickets(session, rules, context.now, limit=limit)
        if due and session.dialect_name != "sqlite":
            # The re-check, under the locks just taken: each statement of a PostgreSQL
            # transaction reads what was committed before it. (SQLite's write transaction has
            # held the whole database since its first statement: nothing changed since.)
            locked = [ticket.state.id for ticket in due]
            due = await rows.quiet_tickets(session, rules, context.now, limit=limit, among=locked)
        closed = 0
        for ticket in due:
            key = f"autoclose:{ticket.state.id}:{ticket.last_message_id}"
            if await record_effect(session, key, worker=context.worker, now=context.now):
                await automatic.close_quiet_ticket(
                    session, ticket, rules.closed_status_id, context.now
                )
                closed += 1
        return closed


TASK = Task("auto_close", close_quiet_tickets)
