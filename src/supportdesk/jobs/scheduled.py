"""Scheduled replies (automation.md): a staff message with `sendAt` is sent at that time,
exactly once. (A client reply before then has already made it a draft, unless it was created
with `keepIfClientReplies`: `tickets.conversation.unschedule_for_client_reply`.)

One transaction a batch: the due messages are found (the earliest first), their tickets locked
(skipping tickets another process holds, on PostgreSQL), each message read again under its
ticket's lock and sent with its effect key `scheduled:{message}` in the same transaction.
"""

from __future__ import annotations

import logging

from supportdesk.jobs.effects import record_effect
from supportdesk.jobs.lease import lock_available
from supportdesk.jobs.task import JobContext, Task
from supportdesk.tickets import automatic
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.repository import automatic as rows
from supportdesk.tickets.repository import find_visible_state

log = logging.getLogger("supportdesk.jobs")


async def send_due_messages(context: JobContext) -> int:
    """Send up to a batch of due scheduled messages; how many were sent. When the batch fails,
    its messages are sent one by one, each in its own transaction: one that cannot be sent
    (logged, and due again next time) does not hold back the others."""
    try:
        return await _send(context)
    except Exception:
        log.exception("scheduled batch failed: one at a time", extra={"job": "scheduled_replies"})
    async with context.db.reading() as session:
        due = await rows.due_messages(session, context.now, limit=context.settings.jobs_batch_size)
    sent = 0
    for message in due:
        try:
            sent += await _send(context, among=[message.reply_id])
        except Exception:
            log.exception(
                "scheduled reply failed",
                extra={"job": "scheduled_replies", "message_id": message.public_id},
            )
    return sent


async def _send(context: JobContext, among: list[int] | None = None) -> int:
    async with context.db.transaction() as session:
        limit = context.settings.jobs_batch_size
        due = await rows.due_messages(session, context.now, limit=limit, among=among)
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
