"""Scheduled replies (automation.md): a staff message with `sendAt` is sent at that time,
exactly once. (A client reply before then has already made it a draft, unless it was created
with `keepIfClientReplies`: `tickets.conversation.unschedule_for_client_reply`.)

One transaction a batch: the due messages are found (the earliest first), their tickets locked
(skipping tickets another process holds, on PostgreSQL), each message read again under its
ticket's lock and sent with its effect key `scheduled:{message}` in the same transaction.
"""

from __future__ import annotations

from supportdesk.jobs.effects import record_effect
from supportdesk.jobs.lease import lock_available
from supportdesk.jobs.task import JobContext, Task
from supportdesk.tickets import automatic
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.repository import automatic as rows
from supportdesk.tickets.repository import find_visible_state


async def send_due_messages(context: JobContext) -> int:
    """Send up to a batch of due scheduled messages; how many were sent."""
    async with context.db.transaction() as session:
        due = await rows.due_messages(session, context.now, limit=context.settings.jobs_batch_size)
        tickets = list(dict.fromkeys(message.ticket_id for message in due))
        locked = set(await lock_available(session, Ticket.id, tickets))
        sent = 0
        for message in due:
            if message.ticket_id not in locked:
                continue
            # Read after the lock, and again for each message: an earlier one of the same
            # ticket may have just changed its status.
            ticket = await find_visible_state(session, automatic.SYSTEM, message.ticket_public_id)
            if ticket is None:
                continue
            found = await automatic.due_message(session, ticket, message.public_id, context.now)
            if found is None:
                continue
            key = f"scheduled:{message.public_id}"
            if await record_effect(session, key, worker=context.worker, now=context.now):
                await automatic.send_scheduled_message(session, ticket, found, context.now)
                sent += 1
        return sent


TASK = Task("scheduled_replies", send_due_messages)
