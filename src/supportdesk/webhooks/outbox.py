"""Ticket events into webhook deliveries, in the change's own transaction (automation.md: the
outbox row commits with the change or not at all). The body is made here, once: every attempt
of a delivery sends the same bytes under the same `webhook-id`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, get_args

import orjson
from sqlalchemy import insert, select

from supportdesk.api.v2 import render
from supportdesk.core.actor import VIA_AUTOMATION, Actor
from supportdesk.core.clock import iso_millis
from supportdesk.core.db import DbSession
from supportdesk.core.ids import public_id
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.records import TicketRecord
from supportdesk.tickets.repository import get_visible_ticket
from supportdesk.webhooks.models import PENDING, WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from supportdesk.jobs.events import ChangeEvent

EventType = Literal[
    "ticket.created",
    "ticket.updated",
    "ticket.message.created",
    "ticket.note.created",
    "ticket.closed",
    "ticket.reopened",
    "ticket.merged",
    "ticket.sla_breached",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
# Timeline kinds with a type of their own; every other change to a ticket (the desk's updates,
# edits, drafts, notes edited or removed, the ticket a merge went into, a split) is
# `ticket.updated`.
_TYPES = {
    "opened": "ticket.created",
    "replied": "ticket.message.created",
    "note_added": "ticket.note.created",
    "closed": "ticket.closed",
    "reopened": "ticket.reopened",
    "merged": "ticket.merged",
    "sla_breached": "ticket.sla_breached",
}
_SYSTEM = Actor.system(VIA_AUTOMATION)


def event_type(kind: str) -> str:
    return _TYPES.get(kind, "ticket.updated")


def subscribed(events: str, type_: str) -> bool:
    """Whether an endpoint's stored `events` (`*` or a JSON list) take `type_`."""
    return events == "*" or type_ in orjson.loads(events)


def _ticket_view(ticket: TicketRecord) -> dict[str, Any]:
    """The staff v2 detail, bounded: without the conversation, the notes and the drafts (the
    message or note an event adds travels beside it)."""
    shown = render.detail(ticket)
    shown.pop("messages", None)
    desk = dict(shown.get("desk") or {})
    desk.pop("notes", None)
    desk.pop("drafts", None)
    shown["desk"] = desk
    return shown


def _added(ticket: TicketRecord, event: ChangeEvent) -> dict[str, Any]:
    """The message or note the event added, in its v2 shape."""
    added = (event.changes.get("message") or event.changes.get("note") or {}).get("to")
    if event.kind == "replied":
        for reply in ticket.replies:
            if reply.public_id == added:
                return {"message": render.message(reply, ticket.public_id, ticket.attachments)}
    if event.kind == "note_added":
        for note in ticket.note_records:
            if note.public_id == added:
                return {"note": render.note(note)}
    return {}


def body(ticket: TicketRecord, event: ChangeEvent) -> bytes:
    """`{type, timestamp, data}`: data is the ticket as staff see it and what changed."""
    data = {
        "ticket": _ticket_view(ticket),
        "event": {
            "kind": event.kind,
            "at": iso_millis(event.at),
            "actor": {"type": event.actor.type, "id": event.actor.id},
            "via": event.actor.via,
            "changes": event.changes,
        },
        **_added(ticket, event),
    }
    return orjson.dumps(
        {"type": event_type(event.kind), "timestamp": iso_millis(event.at), "data": data}
    )


async def enqueue(session: DbSession, event: ChangeEvent) -> int:
    """A delivery for each active endpoint subscribed to the event's type; how many."""
    type_ = event_type(event.kind)
    rows = await session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.events).where(WebhookEndpoint.active)
    )
    endpoints = [int(row.id) for row in rows if subscribed(row.events, type_)]
    if not endpoints:
        return 0
    ref = (
        await session.execute(select(Ticket.public_id).where(Ticket.id == event.ticket_id))
    ).scalar_one()
    ticket = await get_visible_ticket(session, _SYSTEM, ref)
    if ticket is None:  # the system sees every ticket
        return 0
    payload = body(ticket, event).decode()
    await session.execute(
        insert(WebhookDelivery).values(
            [
                {
                    "public_id": public_id("msg"),
                    "endpoint_id": endpoint_id,
                    "ticket_id": event.ticket_id,
                    "type": type_,
                    "payload": payload,
                    "status": PENDING,
                    "next_attempt_at": event.at,
                    "created_at": event.at,
                }
                for endpoint_id in endpoints
            ]
        )
    )
    return len(endpoints)
