"""What follows from a ticket's event, in the transaction that wrote it.

`tickets.service.record_change` calls `on_event` after writing every timeline event, so an
outbox row (a mail, a webhook) or an SLA clock update commits with the change it follows from,
or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.mail.outbox import enqueue_mails
from supportdesk.tickets.repository.events import Changes
from supportdesk.webhooks import outbox


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """A timeline event just written: which ticket, what kind, what changed, by whom, when."""

    ticket_id: int
    kind: str
    changes: Changes
    at: datetime
    actor: Actor


async def on_event(session: DbSession, event: ChangeEvent) -> None:
    """Everything that follows from `event`, written in `session`'s transaction."""
    # Imported here: the SLA's rules build on tickets.service, which imports this module.
    from supportdesk.sla import service as sla

    await sla.on_event(session, event)
    await enqueue_mails(session, event)
    await outbox.enqueue(session, event)
