"""v1 routes: authenticate, validate, call one service function, render."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import Response

from supportdesk.api.inputs import (
    MAX_TICKET_NUMBER,
    AuthFirstRoute,
    TicketNumberParameter,
    json_body,
)
from supportdesk.api.v1 import render
from supportdesk.api.v1.schemas import (
    CreatedTicketEnvelope,
    CreateTicket,
    DepartmentsEnvelope,
    TicketEnvelope,
    error_responses,
)
from supportdesk.auth.dependencies import (
    ReadSupport,
    ReadSupportOrAccount,
    Session,
    WriteSupport,
    client_ip,
)
from supportdesk.auth.principal import Principal
from supportdesk.core.clock import hostbill, utcnow
from supportdesk.core.db import DbSession
from supportdesk.departments import service as departments
from supportdesk.tickets import service
from supportdesk.tickets.records import TicketRecord
from supportdesk.tickets.service import TicketDraft

router = APIRouter(prefix="/api/support", tags=["v1"], route_class=AuthFirstRoute)

MAX_NUMBER = MAX_TICKET_NUMBER
PRIORITY_NAMES = ("low", "medium", "high", "urgent")
TicketNumber = Annotated[TicketNumberParameter, Path(description="Unique number identifier")]


def _json(
    request: Request, data: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    body = render.envelope(data, now=utcnow(), request_id=request.state.request_id)
    return Response(body, media_type="application/json", headers=headers)


def _shown(request: Request, principal: Principal, ticket: TicketRecord) -> dict[str, Any]:
    zone = request.app.state.settings.zone
    return render.ticket_dict(
        ticket, staff_view=principal.is_staff, zone=zone, viewtime=hostbill(utcnow(), zone)
    )


@router.get(
    "/tickets/{number}",
    response_model=TicketEnvelope,
    responses={
        304: {"description": "Not modified: the `If-None-Match` tag is current."},
        **error_responses(400, 401, 403, 404, 406, 429),
    },
    summary="Get support ticket details",
)
async def get_ticket(
    request: Request,
    principal: ReadSupport,
    session: Session,
    number: TicketNumber,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Retrieve all information for a specific support ticket, identified by its number."""
    return await ticket_response(request, principal, session, number, if_none_match)


async def ticket_response(
    request: Request,
    principal: Principal,
    session: DbSession,
    number: int,
    if_none_match: str | None,
) -> Response:
    """The detail route's answer; the read lane (`api.v1.lane`) serves it too."""
    ticket = await service.read_ticket(session, principal, number)
    shown = _shown(request, principal, ticket)
    tag = render.etag(shown)
    if if_none_match is not None and render.matches(if_none_match, tag):
        return Response(status_code=304, headers={"ETag": tag})
    return _json(request, {"ticket": shown}, {"ETag": tag})


@router.post(
    "/tickets",
    response_model=CreatedTicketEnvelope,
    responses=error_responses(400, 401, 403, 406, 413, 415, 429),
    dependencies=[Depends(json_body)],
    summary="Create a support ticket",
)
async def create_ticket(
    request: Request, principal: WriteSupport, session: Session, payload: CreateTicket
) -> Response:
    """Open a ticket in a department; answers with the new ticket, `number` first."""
    context = payload.context
    draft = TicketDraft(
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
        field_names={"department": "dept_id", "service_id": "context.service_id"},
    )
    number = await service.open_ticket(session, principal, draft)
    return await _created(request, principal, session, number)


async def _created(
    request: Request, principal: Principal, session: DbSession, number: int
) -> Response:
    ticket = await service.read_ticket(session, principal, number)
    shown = _shown(request, principal, ticket)
    return _json(
        request, {"ticket": {"number": number, **{k: v for k, v in shown.items() if k != "number"}}}
    )


@router.get(
    "/departments",
    response_model=DepartmentsEnvelope,
    responses=error_responses(400, 401, 403, 406, 429),
    summary="List support departments",
)
async def list_departments(
    request: Request, principal: ReadSupportOrAccount, session: Session
) -> Response:
    """The departments the caller can open tickets in (staff see hidden ones too)."""
    found = await departments.visible_departments(session, principal)
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
