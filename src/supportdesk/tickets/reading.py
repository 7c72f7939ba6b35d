"""Reading a ticket by its version: what decides whether an answer built before still holds.

`current_version` is the read's one rule: the ticket as the actor may see it (else 404), and,
as `service.read_ticket` does, the reader's side marked read. The marker is shown, so marking
moves the version (`repository.mark_read`) and the version is then read again: an answer is
always keyed by the state it shows.
"""

from __future__ import annotations

from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.core.errors import TicketNotFound
from supportdesk.tickets import repository
from supportdesk.tickets.records import TicketRecord
from supportdesk.tickets.repository import TicketVersion


async def current_version(session: DbSession, actor: Actor, ref: int | str) -> TicketVersion:
    """The ticket's version for the actor, after marking it read for the actor's side."""
    found = await repository.find_visible_version(session, actor, ref)
    if found is None:
        raise TicketNotFound()
    if not found.read_by_viewer:
        # Rare (once per new activity): the only write of a read. On SQLite it upgrades the
        # reading session to a write; the UPDATE's own condition is the re-check under the lock.
        await repository.mark_read(session, found.id, actor.side)
        found = await repository.find_visible_version(session, actor, found.public_id)
        if found is None:
            raise TicketNotFound()
    return found


async def shown_ticket(session: DbSession, actor: Actor, found: TicketVersion) -> TicketRecord:
    """The ticket as the actor may see it, read after its version (`found`)."""
    ticket = await repository.get_visible_ticket(session, actor, found.public_id)
    if ticket is None:  # it left the actor's view since its version was read
        raise TicketNotFound()
    return ticket
