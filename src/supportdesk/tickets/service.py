"""The rules of tickets: who sees what, and what reading one changes."""

from __future__ import annotations

import dataclasses

from supportdesk.auth.principal import Principal
from supportdesk.core.db import DbSession
from supportdesk.core.errors import TicketNotFound
from supportdesk.tickets import repository
from supportdesk.tickets.records import TicketRecord


async def read_ticket(session: DbSession, principal: Principal, number: int) -> TicketRecord:
    """The ticket as the caller may see it; reading marks it read for the caller's side.

    The marker is written only when it changes. It does not move `lastupdate`: being read is
    not a change to the ticket.
    """
    ticket = await repository.get_visible_ticket(session, principal, number)
    if ticket is None:
        raise TicketNotFound()
    if principal.is_staff and not ticket.admin_read:
        await repository.mark_read(session, ticket.id, "staff")
        ticket = dataclasses.replace(ticket, admin_read=True)
    elif not principal.is_staff and not ticket.client_read:
        await repository.mark_read(session, ticket.id, "client")
        ticket = dataclasses.replace(ticket, client_read=True)
    return ticket
