"""v1 routes: authenticate, validate, call one service function, render."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from supportdesk.api.answers import Answer, detail_answer
from supportdesk.api.conditional import IfNoneMatch, not_modified
from supportdesk.api.deps import app_state
from supportdesk.api.doors import route_class
from supportdesk.api.errors import request_id
from supportdesk.api.inputs import (
    MAX_TICKET_NUMBER,
    AuthFirstRoute,
    TicketNumberParameter,
    json_body,
)
from supportdesk.api.v1 import render
from supportdesk.api.v1.door import V1
from supportdesk.api.v1.schemas import (
    V1CreatedTicketEnvelope,
    V1CreateTicket,
    V1DepartmentsEnvelope,
    V1TicketEnvelope,
    error_responses,
)
from supportdesk.auth.dependencies import (
    ReadSupport,
    ReadSupportOrAccount,
    Session,
    WriteSupport,
    client_ip,
)
from supportdesk.core.actor import Actor
from supportdesk.core.clock import hostbill, utcnow
from supportdesk.core.db import DbSession
from supportdesk.departments import service as departments
from supportdesk.tickets import reading, service
from supportdesk.tickets.records import NewTicket, TicketRecord
from supportdesk.tickets.repository import TicketVersion

router = APIRouter(prefix="/api/support", tags=["v1"], route_class=route_class(V1, AuthFirstRoute))

MAX_NUMBER = MAX_TICKET_NUMBER
PRIORITY_NAMES = ("low", "medium", "high", "urgent")
TicketNumber = Annotated[TicketNumberParameter, Path(description="Unique number identifier")]


def _json(
    request: Request, data: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    body = render.envelope(data, now=utcnow(), request_id=request_id(request.scope))
    return Response(body, media_type="application/json", headers=headers)


def _shown(request: Request, actor: Actor, ticket: TicketRecord) -> dict[str, Any]:
    zone = app_state(request).settings.zone
    return render.ticket_dict(
        ticket, staff_view=actor.is_staff, zone=zone, viewtime=hostbill(utcnow(), zone)
    )


@router.get(
    "/tickets/{number}",
    response_model=V1TicketEnvelope,
    responses={
        304: {"description": "Not modified: the `If-None-Match` tag is current."},
        **error_responses(400, 401, 403, 404, 406, 429),
    },
    summary="Get support ticket details",
)
async def get_ticket(
    request: Request,
    actor: ReadSupport,
    session: Session,
    number: TicketNumber,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Retrieve all information for a specific support ticket, identified by its number."""
    return await ticket_response(request, actor, session, number, if_none_match)


async def ticket_response(
    request: Request,
    actor: Actor,
    session: DbSession,
    number: int,
    if_none_match: str | None,
) -> Response:
    """The detail route's answer; the read lane (`api.v1.lane`) serves it too: built once per
    version of the ticket (`api.answers`), the view time and the envelope spliced in."""
    state = app_state(request)
    zone = state.settings.zone

    async def build(session: DbSession, actor: Actor, found: TicketVersion) -> Answer:
        ticket = await reading.shown_ticket(session, actor, found)
        return render.spliced_ticket(ticket, staff_view=actor.is_staff, zone=zone)

    answer = await detail_answer(state.answers, "v1", session, actor, number, build)
    unchanged = not_modified(answer.etag, if_none_match)
    if unchanged is not None:
        return unchanged
    now = utcnow()
    body = render.spliced_envelope(
        answer, now=now, request_id=request_id(request.scope), viewtime=hostbill(now, zone)
    )
    return Response(body, media_type="application/json", headers={"ETag": answer.etag})


@router.post(
    "/tickets",
    response_model=V1CreatedTicketEnvelope,
    responses=error_responses(400, 401, 403, 406, 413, 415, 429),
    dependencies=[Depends(json_body)],
    summary="Create a support ticket",
)
async def create_ticket(
    request: Request, actor: WriteSupport, session: Session, payload: V1CreateTicket
) -> Response:
    """Open a ticket in a department; answers with the new ticket, `number` first."""
    context = payload.context
    new = NewTicket(
        subject=payload.subject,
        body=payload.body,
        priority=PRIORITY_NAMES[payload.priority],
        dept_id=payload.dept_id,
        client_id=payload.client_id,
        guest_name=payload.name,
        guest_email=payload.email,
        service_type=context.service_type if context else None,
        service_id=context.service_id if context else None,
        ai_summary=payload.ai_summary or "",
        senderip=client_ip(request),
    )
    ticket = await service.open_ticket(session, actor, new)
    shown = _shown(request, actor, ticket)
    del shown["number"]
    # HostUp's create answer puts the number first, as a JSON integer (v1.md).
    return _json(request, {"ticket": {"number": ticket.ticket_number, **shown}})


@router.get(
    "/departments",
    response_model=V1DepartmentsEnvelope,
    responses=error_responses(400, 401, 403, 406, 429),
    summary="List support departments",
)
async def list_departments(
    request: Request, actor: ReadSupportOrAccount, session: Session
) -> Response:
    """The departments the caller can open tickets in (staff see hidden ones too)."""
    found = await departments.visible_departments(session, actor)
    return _json(
        request,
        {
            "departments": [
                {
                    "id": d.id,
                    "name": d.name,
                    "description": d.description,
                    "email": d.email,
                    "visible": d.visible,
                }
                for d in found
            ]
        },
    )
