"""The client's rating of a staff reply (model.md: a reply's `rating`, `"1"`–`"5"`)."""

from __future__ import annotations

from supportdesk.core.actor import Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Forbidden, InvalidField, NotFound
from supportdesk.tickets import repository, service
from supportdesk.tickets.models import SENT
from supportdesk.tickets.records import TicketRecord
from supportdesk.tickets.repository import Changes, messages

RATINGS = range(1, 6)


class MessageNotFound(NotFound):
    v2_code = "message_not_found"
    default_message = "No such message on that ticket."


async def rate_reply(
    session: DbSession, actor: Actor, ref: int | str, message_id: str, rating: int
) -> TicketRecord:
    """The ticket's client rates a sent staff reply 1–5; rating again replaces the rating.

    A rating is a change to the ticket (`lastupdate` moves, a `rated` event is written) but
    not a message: the status and the read markers stay as they are."""
    if not actor.is_client:
        raise Forbidden("Only the ticket's client rates a staff reply.")
    if rating not in RATINGS:
        raise InvalidField("rating", "must be a whole number from 1 to 5.", code="out_of_range")
    ticket = await service.locked_state(session, actor, ref)
    message = await messages.find_message(session, ticket.id, message_id)
    if message is None or message.status != SENT or message.type != "Admin":
        raise MessageNotFound("Only a staff reply on this ticket can be rated.")
    current = await messages.reply_rating(session, message.id)
    if current != rating:
        now = utcnow()
        await messages.update_message(session, message.id, rating=rating, rated_at=now)
        await repository.update_ticket(session, ticket.id, updated_at=now)
        changes: Changes = {
            "message": {"from": None, "to": message.public_id},
            "rating": {"from": current or None, "to": rating},
        }
        await service.record_change(session, actor, ticket.id, "rated", changes, now)
    return await service.shown(session, actor, ticket.ticket_number)
