"""v2 routes of the desk's conversation: drafts and scheduled messages, merge, split, timeline.

Staff only: a client key gets 403 (the route exists; the key may not use it).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from supportdesk.api.deps import Cursors
from supportdesk.api.doors import route_class
from supportdesk.api.inputs import AuthFirstRoute, Reference, json_body, managed_json_body
from supportdesk.api.v2 import render
from supportdesk.api.v2.conversation_schemas import (
    V2EditMessage,
    V2EventPage,
    V2Merge,
    V2Split,
    V2StaffMessage,
)
from supportdesk.api.v2.door import V2
from supportdesk.api.v2.router import TicketId, staff_message, ticket_ref
from supportdesk.api.v2.schemas import V2Ticket, problems
from supportdesk.auth.dependencies import ManageSupport, ReadSupport, Session, WriteSupport
from supportdesk.core.clock import iso_millis
from supportdesk.core.errors import Forbidden
from supportdesk.tickets import conversation, merging
from supportdesk.tickets.conversation import MessageEdit
from supportdesk.tickets.numbers import parse_ticket_ref
from supportdesk.tickets.repository import EventRecord

router = APIRouter(
    prefix="/api/v2/support", tags=["v2"], route_class=route_class(V2, AuthFirstRoute)
)

MessageId = Annotated[Reference, Path(description="The message's `tmsg_` id.")]


def _staff_only(actor: Any) -> None:
    if not actor.is_staff:
        raise Forbidden("This route is for staff keys.")


@router.patch(
    "/tickets/{ticket_id}/messages/{message_id}",
    response_model=V2StaffMessage,
    responses=problems(400, 401, 403, 404, 406, 409, 413, 415, 429),
    dependencies=[Depends(json_body)],
    summary="Edit a draft or scheduled message",
)
async def edit_message(
    actor: WriteSupport,
    session: Session,
    ticket_id: TicketId,
    message_id: MessageId,
    payload: V2EditMessage,
) -> Response:
    """Change a message not yet sent (`message`, `sendAt`, `status`, `notify`,
    `keepIfClientReplies`); a sent message is 409."""
    _staff_only(actor)
    given = payload.model_fields_set
    names = {
        "message": "body",
        "sendAt": "send_at",
        "status": "status_after",
        "notify": "notify",
        "keepIfClientReplies": "keep_if_client_replies",
    }
    edit = MessageEdit(
        body=payload.message,
        send_at=payload.sendAt,
        status=payload.status,
        notify=payload.notify,
        keep_if_client_replies=payload.keepIfClientReplies,
        given=frozenset(names[name] for name in given),
    )
    posted = await conversation.edit_message(
        session, actor, ticket_ref(ticket_id), message_id, edit
    )
    return render.json_response(staff_message(posted))


@router.post(
    "/tickets/{ticket_id}/messages/{message_id}/actions/send",
    response_model=V2StaffMessage,
    responses=problems(400, 401, 403, 404, 406, 409, 429),
    summary="Send a draft or scheduled message now",
)
async def send_message(
    actor: WriteSupport, session: Session, ticket_id: TicketId, message_id: MessageId
) -> Response:
    """Send the message now: the ticket changes as for any staff reply."""
    _staff_only(actor)
    posted = await conversation.send_message(session, actor, ticket_ref(ticket_id), message_id)
    return render.json_response(staff_message(posted))


@router.post(
    "/tickets/{ticket_id}/actions/merge",
    response_model=V2Ticket,
    responses=problems(400, 401, 403, 404, 406, 409, 413, 415, 429),
    dependencies=[Depends(managed_json_body)],
    summary="Merge this ticket into another",
)
async def merge_ticket(
    actor: ManageSupport, session: Session, ticket_id: TicketId, payload: V2Merge
) -> Response:
    """Merge this ticket into `intoTicketId`: its messages, files, notes, tags, subscribers and
    services go there; this ticket is closed. 200 with the ticket merged into."""
    merged = await merging.merge_ticket(
        session,
        actor,
        ticket_ref(ticket_id),
        parse_ticket_ref(payload.intoTicketId),
        allow_different_clients=payload.allowDifferentClients,
    )
    return render.json_response(render.detail(merged))


@router.post(
    "/tickets/{ticket_id}/actions/split",
    status_code=201,
    response_model=V2Ticket,
    responses=problems(400, 401, 403, 404, 406, 409, 413, 415, 429),
    dependencies=[Depends(managed_json_body)],
    summary="Split a message off into a new ticket",
)
async def split_ticket(
    actor: ManageSupport, session: Session, ticket_id: TicketId, payload: V2Split
) -> Response:
    """A new ticket (same client and department) opened by one message of this ticket."""
    created = await merging.split_ticket(
        session, actor, ticket_ref(ticket_id), payload.messageId, payload.subject
    )
    return render.json_response(render.detail(created), 201)


def _event(event: EventRecord) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": iso_millis(event.at),
        "actor": {"type": event.actor_type, "id": event.actor_id, "name": event.actor_name},
        "via": event.via,
        "kind": event.kind,
        "changes": event.changes,
    }


@router.get(
    "/tickets/{ticket_id}/events",
    response_model=V2EventPage,
    responses=problems(400, 401, 403, 404, 406, 429),
    summary="The ticket's timeline",
)
async def list_events(
    cursors: Cursors,
    actor: ReadSupport,
    session: Session,
    ticket_id: TicketId,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor_: Annotated[str | None, Query(alias="cursor")] = None,
) -> Response:
    """Every change to the ticket, oldest first, a page at a time (staff keys)."""
    _staff_only(actor)
    after = cursors.decode(cursor_)[1] if cursor_ is not None else 0
    events, has_more = await conversation.timeline_page(
        session, actor, ticket_ref(ticket_id), after_id=after, limit=limit
    )
    last = events[-1] if has_more else None
    return render.json_response(
        {
            "data": [_event(event) for event in events],
            "nextCursor": cursors.encode(last.at, last.id) if last is not None else None,
            "hasMore": has_more,
        }
    )
