"""Access links: a ticket's number and its `acc_hash` let the submitter act without a key.

The link is a client's door of its own (the portal, the links in every client mail): whoever
holds it acts as the ticket's client, for that ticket only. A wrong hash, an unknown number, an
and an internal ticket open nothing (the same `None`). A guest's ticket (no client account)
is opened for its submitter as `Actor.guest`: the client's side, for that ticket alone.
"""

from __future__ import annotations

import hmac

from supportdesk.core.actor import Actor
from supportdesk.core.columns import TICKET_NUMBER_MAX
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Forbidden
from supportdesk.core.scopes import READ_SUPPORT, WRITE_SUPPORT
from supportdesk.tickets import repository

# Compared against when no ticket has the number, so that both answers take as long.
_NO_HASH = "0" * 32
_LINK_SCOPES = frozenset({READ_SUPPORT, WRITE_SUPPORT})


async def client_by_access_link(
    session: DbSession, number: int, acc_hash: str, via: str
) -> Actor | None:
    """The ticket's client acting through `via`, if `acc_hash` is the ticket's; else None.

    A client account that is not Active is refused (403), as its API keys are."""
    if not 1 <= number <= TICKET_NUMBER_MAX:
        return None
    found = await repository.find_access_link(session, number)
    stored = found.acc_hash if found is not None else _NO_HASH
    matches = hmac.compare_digest(acc_hash.encode(), stored.encode())
    if found is None or not matches:
        return None
    if found.client_id is None:
        return Actor.guest(found.ticket_id, via, _LINK_SCOPES)
    if not found.client_active:
        raise Forbidden("The client account of this ticket is not active.")
    return Actor.client(found.client_id, via, _LINK_SCOPES)
