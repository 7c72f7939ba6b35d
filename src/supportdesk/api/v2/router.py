"""v2 routes: authenticate, validate, call one service function, render."""

from __future__ import annotations

import re
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from supportdesk.api.inputs import (
    AuthFirstRoute,
    ErrorCodeName,
    Reference,
    Slug,
    json_body,
    url_is_text,
)
from supportdesk.api.v2 import cursor, render
from supportdesk.api.v2.problems import describe
from supportdesk.api.v2.schemas import (
    CreateTicket,
    Departments,
    ErrorCode,
    Message,
    PostMessage,
    Ticket,
    TicketPage,
    V2Status,
    problems,
)
from supportdesk.auth.dependencies import ReadAccount, ReadSupport, Session, WriteSupport, client_ip
from supportdesk.auth.principal import Principal
from supportdesk.core.db import DbSession
from supportdesk.core.errors import NotFound, TicketNotFound, ValidationFailed
from supportdesk.departments import service as departments
from supportdesk.tickets import repository, service
from supportdesk.tickets.repository import PageFilter
from supportdesk.tickets.service import TicketDraft

router = APIRouter(prefix="/api/v2/support", tags=["v2"], route_class=AuthFirstRoute)
errors_router = APIRouter(tags=["v2"])

_TICKET_ID = re.compile(r"^(tkt_[0-9a-hjkmnp-tv-z]{26}|[1-9][0-9]{0,17})$")
TicketId = Annotated[Reference, Path(description="A `tkt_` id, or the ticket's number.")]


def _json(data: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status_code, media_type="application/json")


def ticket_ref(value: str) -> int | str:
    """A `tkt_` id or a number; anything else names no ticket (404)."""
    if not _TICKET_ID.match(value):
        raise TicketNotFound()
    return int(value) if value.isdigit() else value


async def _detail(
    session: DbSession, principal: Principal, ref: int | str, status: int = 200
) -> Response:
    ticket = await service.read_ticket(session, principal, ref)
    return _json(render.detail(ticket), status)


@router.get(
    "/tickets",
    response_model=TicketPage,
    responses=problems(400, 401, 403, 406, 429),
    summary="List tickets",
)
async def list_tickets(
    principal: ReadSupport,
    session: Session,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor_: Annotated[str | None, Query(alias="cursor")] = None,
    status: V2Status | None = None,
    department_slug: Annotated[Slug | None, Query(alias="departmentSlug")] = None,
) -> Response:
    """Ticket summaries, newest activity first, a page at a time."""
    after = cursor.decode(cursor_) if cursor_ is not None else None
    page = PageFilter(v2_status=status, dept_slug=department_slug, after=after)
    found = await repository.list_visible_tickets(session, principal, page, limit + 1)
    has_more = len(found) > limit
    shown = found[:limit]
    next_cursor = cursor.encode(shown[-1].updated_at, shown[-1].id) if has_more else None
    return _json(
        {"data": [render.summary(t) for t in shown], "nextCursor": next_cursor, "hasMore": has_more}
    )


@router.get(
    "/tickets/{ticket_id}",
    response_model=Ticket,
    responses=problems(400, 401, 403, 404, 406, 429),
    summary="Get a ticket",
)
async def get_ticket(principal: ReadSupport, session: Session, ticket_id: TicketId) -> Response:
    """The ticket with its messages and attachments."""
    return await _detail(session, principal, ticket_ref(ticket_id))


@router.post(
    "/tickets",
    status_code=201,
    response_model=Ticket,
    responses=problems(400, 401, 403, 406, 413, 415, 429),
    dependencies=[Depends(json_body)],
    summary="Open a ticket",
)
async def create_ticket(
    request: Request, principal: WriteSupport, session: Session, payload: CreateTicket
) -> Response:
    """Open a ticket; at most one `critical` ticket per client per hour."""
    if payload.priority == "critical" and not payload.criticalReason:
        raise ValidationFailed(
            "Field 'criticalReason': required when priority is critical.",
            pointer="/criticalReason",
            details=[
                {
                    "pointer": "/criticalReason",
                    "detail": "Required when priority is critical.",
                    "code": "required",
                }
            ],
        )
    context = payload.context
    draft = TicketDraft(
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
        field_names={
            "department": "/departmentSlug",
            "client_id": "/clientId",
            "service_id": "/context/serviceId",
            "uploads": "/attachmentIds",
        },
    )
    number = await service.open_ticket(session, principal, draft)
    return await _detail(session, principal, number, 201)


@router.post(
    "/tickets/{ticket_id}/messages",
    status_code=201,
    response_model=Message,
    responses=problems(400, 401, 403, 404, 406, 409, 413, 415, 429),
    dependencies=[Depends(json_body)],
    summary="Reply to a ticket",
)
async def post_message(
    request: Request,
    principal: WriteSupport,
    session: Session,
    ticket_id: TicketId,
    payload: PostMessage,
) -> Response:
    """Add a message; a closed ticket takes none (409 `ticket_closed`)."""
    ref = ticket_ref(ticket_id)
    ticket, reply_id = await service.post_reply(
        session,
        principal,
        ref,
        payload.message,
        encrypted=payload.encrypted,
        upload_ids=tuple(payload.attachmentIds),
        senderip=client_ip(request),
    )
    record = await service.read_ticket(session, principal, ticket.ticket_number)
    reply = next(r for r in record.replies if r.id == reply_id)
    return _json(render.message(reply, record.public_id, record.attachments), 201)


@router.post(
    "/tickets/{ticket_id}/actions/close",
    response_model=Ticket,
    responses=problems(400, 401, 403, 404, 406, 429),
    summary="Close a ticket",
)
async def close_ticket(principal: WriteSupport, session: Session, ticket_id: TicketId) -> Response:
    """Close the ticket; closing a closed ticket changes nothing."""
    ticket = await service.close_ticket(session, principal, ticket_ref(ticket_id))
    return await _detail(session, principal, ticket.ticket_number)


@router.post(
    "/tickets/{ticket_id}/actions/reopen",
    response_model=Ticket,
    responses=problems(400, 401, 403, 404, 406, 429),
    summary="Reopen a ticket",
)
async def reopen_ticket(principal: WriteSupport, session: Session, ticket_id: TicketId) -> Response:
    """Reopen the ticket where the department and the ticket allow it."""
    ticket = await service.reopen_ticket(session, principal, ticket_ref(ticket_id))
    return await _detail(session, principal, ticket.ticket_number)


@router.get(
    "/departments",
    response_model=Departments,
    responses=problems(400, 401, 403, 406, 429),
    summary="List departments",
)
async def list_departments(principal: ReadAccount, session: Session) -> Response:
    """The departments the caller can open tickets in."""
    found = await departments.visible_departments(session, principal)
    return _json(
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
    response_model=ErrorCode,
    responses=problems(400, 404, 406),
    dependencies=[Depends(url_is_text)],
    summary="Describe an error code",
)
async def error_code(code: Annotated[ErrorCodeName, Path()]) -> Response:
    """What a problem document's `type` means."""
    described = describe(code)
    if described is None:
        raise NotFound("No such error code.")
    return _json(described)
