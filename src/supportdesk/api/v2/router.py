"""v2 routes: authenticate, validate, call one service function, render."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from supportdesk.api.answers import Answer, AnswerCache, detail_answer
from supportdesk.api.conditional import IfNoneMatch, entity_tag, not_modified
from supportdesk.api.deps import Cursors, app_state
from supportdesk.api.doors import route_class
from supportdesk.api.inputs import (
    AuthFirstRoute,
    ErrorCodeName,
    Reference,
    json_body,
    url_is_text,
)
from supportdesk.api.v2 import paths, render
from supportdesk.api.v2.door import V2
from supportdesk.api.v2.listing import V2ListQuery
from supportdesk.api.v2.problems import describe
from supportdesk.api.v2.schemas import (
    V2CreateTicket,
    V2Departments,
    V2ErrorCode,
    V2Message,
    V2PostMessage,
    V2Ticket,
    V2TicketPage,
    problems,
)
from supportdesk.auth.dependencies import ReadAccount, ReadSupport, Session, WriteSupport, client_ip
from supportdesk.core.actor import Actor
from supportdesk.core.clock import iso_millis
from supportdesk.core.db import DbSession
from supportdesk.core.errors import NotFound, TicketNotFound
from supportdesk.departments import service as departments
from supportdesk.tickets import conversation, reading, service
from supportdesk.tickets.conversation import ReplyOptions
from supportdesk.tickets.numbers import parse_ticket_ref
from supportdesk.tickets.records import NewMessage, NewTicket, Posted, TicketRecord
from supportdesk.tickets.repository import TicketVersion, position_kinds

router = APIRouter(
    prefix="/api/v2/support", tags=["v2"], route_class=route_class(V2, AuthFirstRoute)
)
errors_router = APIRouter(tags=["v2"], route_class=route_class(V2))

TicketId = Annotated[Reference, Path(description="A `tkt_` id, or the ticket's number.")]


def ticket_ref(value: str) -> int | str:
    """A `tkt_` id or a number; anything else names no ticket (404)."""
    ref = parse_ticket_ref(value)
    if ref is None:
        raise TicketNotFound()
    return ref


def staff_message(posted: Posted) -> dict[str, Any]:
    """The message with its desk state, as staff see it."""
    ticket, reply = posted.ticket, posted.message
    return {
        **render.message(reply, ticket.public_id, ticket.attachments),
        "state": conversation.STATES[reply.status],
        "sendAt": iso_millis(posted.send_at) if posted.send_at else None,
    }


def _detail(ticket: TicketRecord, status: int = 200) -> Response:
    return render.json_response(render.detail(ticket), status)


@router.get(
    "/tickets",
    response_model=V2TicketPage,
    responses=problems(400, 401, 403, 406, 429),
    summary="List tickets",
)
async def list_tickets(
    cursors: Cursors,
    actor: ReadSupport,
    session: Session,
    query: Annotated[V2ListQuery, Depends()],
) -> Response:
    """Ticket summaries, newest activity first, a page at a time. `q` searches the subject and
    the messages (staff's search reads notes and drafts too); the other filters and `sort` are
    for staff keys (a client key sending one gets 400 naming it)."""
    where = query.list_filter(actor)
    order = f"{where.sort}+q" if where.terms else where.sort
    kinds = position_kinds(where.sort, bool(where.terms))
    cursor = query.cursor
    after = cursors.decode_position(cursor, order, kinds) if cursor is not None else None
    page = await service.list_tickets(session, actor, where, after=after, limit=query.limit)
    position = page.next_position
    return render.json_response(
        {
            "data": [render.summary(t) for t in page.items],
            "nextCursor": cursors.encode_position(order, kinds, position) if position else None,
            "hasMore": page.has_more,
        }
    )


@router.get(
    paths.TICKET,
    response_model=V2Ticket,
    responses={
        304: {"description": "Not modified: the `If-None-Match` tag is current."},
        **problems(400, 401, 403, 404, 406, 429),
    },
    summary="Get a ticket",
)
async def get_ticket(
    request: Request,
    actor: ReadSupport,
    session: Session,
    ticket_id: TicketId,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The ticket with its messages and attachments; a weak `ETag`, and 304 while it holds."""
    cache = app_state(request).answers
    return await ticket_response(cache, actor, session, ticket_ref(ticket_id), if_none_match)


async def _encoded_detail(session: DbSession, actor: Actor, found: TicketVersion) -> Answer:
    """The detail's bytes and its tag: `weak_etag(render.detail(ticket))`, from the bytes."""
    body = orjson.dumps(render.detail(await reading.shown_ticket(session, actor, found)))
    return Answer(etag=entity_tag(body), head=body)


async def ticket_response(
    cache: AnswerCache,
    actor: Actor,
    session: DbSession,
    ref: int | str,
    if_none_match: str | None,
) -> Response:
    """The detail route's answer, built once per version (`api.answers`); the read lane
    (`api.v1.lane`) serves it too."""
    answer = await detail_answer(cache, "v2", session, actor, ref, _encoded_detail)
    unchanged = not_modified(answer.etag, if_none_match)
    if unchanged is not None:
        return unchanged
    return Response(answer.head, media_type="application/json", headers={"ETag": answer.etag})


@router.post(
    "/tickets",
    status_code=201,
    response_model=V2Ticket,
    responses=problems(400, 401, 403, 406, 413, 415, 429),
    dependencies=[Depends(json_body)],
    summary="Open a ticket",
)
async def create_ticket(
    request: Request, actor: WriteSupport, session: Session, payload: V2CreateTicket
) -> Response:
    """Open a ticket; at most one `critical` ticket per client per hour."""
    context = payload.context
    new = NewTicket(
        subject=payload.subject,
        body=payload.message,
        priority=payload.priority,
        dept_slug=payload.departmentSlug,
        client_id=payload.clientId,
        cc=tuple(payload.ccEmails),
        service_type=context.serviceType if context else None,
        service_id=int(context.serviceId) if context else None,
        ai_summary=payload.aiSummary or "",
        ai_helpful=payload.aiHelpful,
        critical_reason=payload.criticalReason or "",
        upload_ids=tuple(payload.attachmentIds),
        senderip=client_ip(request),
    )
    return _detail(await service.open_ticket(session, actor, new), 201)


@router.post(
    "/tickets/{ticket_id}/messages",
    status_code=201,
    response_model=V2Message,
    responses=problems(400, 401, 403, 404, 406, 409, 413, 415, 429),
    dependencies=[Depends(json_body)],
    summary="Reply to a ticket",
)
async def post_message(
    request: Request,
    actor: WriteSupport,
    session: Session,
    ticket_id: TicketId,
    payload: V2PostMessage,
) -> Response:
    """Add a message; a closed ticket takes none (409 `ticket_closed`), a merged one neither
    (409 `ticket_merged`). Staff may also set the status after it, save it as a draft or
    schedule it (`sendAt`), and guard against a newer client message (409 `stale_ticket`)."""
    new = NewMessage(
        body=payload.message,
        encrypted=payload.encrypted,
        upload_ids=tuple(payload.attachmentIds),
        senderip=client_ip(request),
    )
    options = _reply_options(payload)
    posted = await service.post_message(session, actor, ticket_ref(ticket_id), new, options)
    if actor.is_staff:
        return render.json_response(staff_message(posted), 201)
    ticket = posted.ticket
    return render.json_response(
        render.message(posted.message, ticket.public_id, ticket.attachments), 201
    )


# The staff options of a message: the body's name, the model's.
_REPLY_OPTIONS = {
    "status": "status_after",
    "draft": "draft",
    "sendAt": "send_at",
    "notify": "notify",
    "keepIfClientReplies": "keep_if_client_replies",
    "lastSeenMessageId": "last_seen_message",
    "force": "force",
}


def _reply_options(payload: V2PostMessage) -> ReplyOptions:
    return ReplyOptions(
        status=payload.status,
        draft=payload.draft,
        send_at=payload.sendAt,
        notify=payload.notify,
        keep_if_client_replies=payload.keepIfClientReplies,
        last_seen_message_id=payload.lastSeenMessageId,
        force=payload.force,
        # A field sent with its default value asks for nothing (generated clients send them).
        given=tuple(
            model
            for wire, model in _REPLY_OPTIONS.items()
            if getattr(payload, wire) != V2PostMessage.model_fields[wire].default
        ),
    )


@router.post(
    "/tickets/{ticket_id}/actions/close",
    response_model=V2Ticket,
    responses=problems(400, 401, 403, 404, 406, 429),
    summary="Close a ticket",
)
async def close_ticket(actor: WriteSupport, session: Session, ticket_id: TicketId) -> Response:
    """Close the ticket; closing a closed ticket changes nothing."""
    return _detail(await service.close_ticket(session, actor, ticket_ref(ticket_id)))


@router.post(
    "/tickets/{ticket_id}/actions/reopen",
    response_model=V2Ticket,
    responses=problems(400, 401, 403, 404, 406, 429),
    summary="Reopen a ticket",
)
async def reopen_ticket(actor: WriteSupport, session: Session, ticket_id: TicketId) -> Response:
    """Reopen the ticket where the department and the ticket allow it."""
    return _detail(await service.reopen_ticket(session, actor, ticket_ref(ticket_id)))


@router.get(
    "/departments",
    response_model=V2Departments,
    responses=problems(400, 401, 403, 406, 429),
    summary="List departments",
)
async def list_departments(actor: ReadAccount, session: Session) -> Response:
    """The departments the caller can open tickets in."""
    found = await departments.visible_departments(session, actor)
    return render.json_response(
        {
            "departments": [
                {
                    "slug": d.slug,
                    "displayName": d.name,
                    "description": d.description,
                    "email": d.email,
                }
                for d in found
            ]
        }
    )


@errors_router.get(
    "/errors/{code}",
    response_model=V2ErrorCode,
    responses=problems(400, 404, 406),
    dependencies=[Depends(url_is_text)],
    summary="Describe an error code",
)
async def error_code(code: Annotated[ErrorCodeName, Path()]) -> Response:
    """What a problem document's `type` means."""
    described = describe(code)
    if described is None:
        raise NotFound("No such error code.")
    return render.json_response(described)
