"""What the automation does to tickets (automation.md), by the system through the door
`automation`: close a ticket the client has left quiet, send a scheduled message at its time.

The jobs (`supportdesk.jobs`) find the work and hold the lock; these functions make the change
and write its timeline event in the caller's transaction, as every other change does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from supportdesk.accounts.repository import SYSTEM_NAME
from supportdesk.core.actor import VIA_AUTOMATION, Actor
from supportdesk.core.db import DbSession
from supportdesk.core.ids import public_id
from supportdesk.departments.models import CLOSED
from supportdesk.tickets import conversation, service
from supportdesk.tickets.models import SCHEDULED, SENT
from supportdesk.tickets.repository import ReplyInsert, TicketState
from supportdesk.tickets.repository import automatic as automatic_rows
from supportdesk.tickets.repository import messages as message_rows
from supportdesk.tickets.repository.automatic import QuietTicket
from supportdesk.tickets.repository.messages import MessageRow

SYSTEM = Actor.system(VIA_AUTOMATION)


def closing_text(hours: float) -> str:
    """The System reply's text: `... after 48 hours ...`, `... after 0.001 hours ...`."""
    amount = f"{hours:g}"
    unit = "hour" if amount == "1" else "hours"
    return f"This ticket was closed automatically after {amount} {unit} without a reply."


async def close_quiet_tickets(
    session: DbSession, tickets: Sequence[QuietTicket], closed_status_id: int, now: datetime
) -> None:
    """Close tickets whose client has been quiet for their department's hours, each with a
    `System` reply saying so (the client sees it and has not read it yet) and its `closed`
    event. The caller holds the tickets' locks and has checked that they are still due. The
    replies, the tickets' new state and the events are written for the whole batch at once;
    what follows from each event (`jobs.events.on_event`) is called for each, as always."""
    if not tickets:
        return
    closing = [
        ReplyInsert(
            public_id=public_id("tmsg"),
            ticket_id=ticket.state.id,
            replier_id=0,
            name=SYSTEM_NAME,
            email="",
            body=closing_text(ticket.hours),
            status=SENT,
            type="System",
            flags=0,
            senderip="",
            created_at=now,
        )
        for ticket in tickets
    ]
    await automatic_rows.close_all(
        session,
        [ticket.state.id for ticket in tickets],
        closing,
        status_id=closed_status_id,
        last_reply_at=now,
        updated_at=now,
        client_read=False,
    )
    events = [
        service.TicketChange(
            ticket.state.id,
            "closed",
            {
                "status": {"from": ticket.state.status, "to": CLOSED},
                "message": {"from": None, "to": reply.public_id},
            },
        )
        for ticket, reply in zip(tickets, closing, strict=True)
    ]
    await service.record_changes(session, SYSTEM, events, now)


async def due_message(
    session: DbSession, ticket: TicketState, message_id: str, now: datetime
) -> MessageRow | None:
    """The ticket's message `message_id` if it is still scheduled and due: it may have been
    sent, edited, rescheduled or cancelled since it was found. The caller holds the ticket's
    lock, which every change to a scheduled message takes first."""
    message = await message_rows.find_message(session, ticket.id, message_id)
    if (
        message is None
        or message.status != SCHEDULED
        or message.send_at is None
        or message.send_at > now
    ):
        return None
    return message


async def send_scheduled_message(
    session: DbSession, ticket: TicketState, message: MessageRow, now: datetime
) -> None:
    """Send a due scheduled message (`due_message`), by the system: the ticket changes as for
    any staff reply (the status it names, `lastreply`, the client's read marker)."""
    await conversation.deliver(session, SYSTEM, ticket, message, now)
