"""Who sees which tickets, messages and files: the conditions every ticket read carries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, literal, or_

from supportdesk.core.actor import Actor
from supportdesk.tickets.models import FLAG_INTERNAL, SENT, Attachment, Reply, Ticket


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """Clients see their own tickets, never internal ones; staff and the system see all."""
    if actor.is_staff:
        return literal(True)
    if actor.guest_ticket_id is not None:
        return guest_scope(actor.guest_ticket_id)
    return client_scope(actor.client_id)


def guest_scope(ticket_id: Any) -> ColumnElement[bool]:
    """A guest's one ticket, if it is a guest ticket (no client account) and not internal."""
    return and_(
        Ticket.id == ticket_id,
        Ticket.client_id.is_(None),
        Ticket.flags.op("&")(FLAG_INTERNAL) == 0,
    )


def client_scope(client_id: Any) -> ColumnElement[bool]:
    """A client's tickets, internal ones left out (`client_id` is a value or a bound parameter)."""
    return and_(Ticket.client_id == client_id, Ticket.flags.op("&")(FLAG_INTERNAL) == 0)


def by_reference(ref: int | str) -> ColumnElement[bool]:
    """A ticket named by its public number, or by its `tkt_` id (v2)."""
    if isinstance(ref, int):
        return Ticket.ticket_number == ref
    return Ticket.public_id == ref


def reply_shown_to_clients() -> ColumnElement[bool]:
    """Drafts and scheduled replies are staff's until they are sent."""
    return Reply.status == SENT


def file_shown_to_clients() -> ColumnElement[bool]:
    """A file on a draft or a scheduled reply is not the client's to see yet (needs `Reply`
    outer-joined on `Attachment.reply_id`)."""
    return or_(Attachment.reply_id.is_(None), reply_shown_to_clients())
